package io.jitsparse.agent.replay;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.protocol.v1.Transition;
import java.util.Random;

/**
 * The replay's store: prioritised slots ({@link PrioritizedSlots}: sum-tree, proportional
 * priorities, importance weights) over payloads kept in primitive arrays, with no object per
 * transition, so a million transitions are a few flat arrays the garbage collector never traces.
 *
 * <p>A transition's payload (encoded state, encoded next state, one move per layer) varies in
 * length with the network's depth, so payloads are appended to one circular float arena; reward,
 * discount, arena offset and layer count are per-slot arrays. Both the slots and the arena evict
 * first in, first out, so the live transitions are always the newest contiguous run of ids and the
 * oldest one is evicted whichever of the two bounds (transitions, floats) is reached first. Not
 * thread-safe: one owner (the {@code Replay} actor).
 */
public final class CompactReplay {

  private final PrioritizedSlots slots;
  private final float[] arena;
  private final int[] offsets;
  private final short[] layerCounts;
  private final float[] rewards;
  private final float[] discounts;
  private int head;
  private long oldest;
  private long evicted;

  /**
   * @param capacity transitions kept at most
   * @param arenaFloats floats of payload kept at most (4 bytes each)
   * @param alpha priority exponent
   * @param epsilon added to |priority|
   */
  public CompactReplay(int capacity, int arenaFloats, double alpha, double epsilon) {
    if (capacity < 1 || arenaFloats < 1) {
      throw new IllegalArgumentException(
          "replay capacity " + capacity + " and arena " + arenaFloats + " must be positive");
    }
    this.slots = new PrioritizedSlots(capacity, alpha, epsilon);
    this.arena = new float[arenaFloats];
    this.offsets = new int[capacity];
    this.layerCounts = new short[capacity];
    this.rewards = new float[capacity];
    this.discounts = new float[capacity];
  }

  /** Floats of payload a transition of {@code layers} layers takes. */
  public static int payloadFloats(int layers) {
    return 2 * (FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layers) + layers;
  }

  /**
   * Stores an explorer's transition (states encoded by {@link FeatureEncoder}, its initial
   * priority) and returns its id.
   *
   * @throws IllegalArgumentException when its states and moves disagree on the layer count
   */
  public long insert(Transition t) {
    int[] moves = new int[t.getMovesCount()];
    for (int i = 0; i < moves.length; i++) {
      moves[i] = t.getMoves(i);
    }
    return insert(
        FeatureEncoder.encode(t.getState()),
        FeatureEncoder.encode(t.getNextState()),
        moves,
        (float) t.getReward(),
        (float) t.getDiscount(),
        t.getInitialPriority());
  }

  /**
   * Stores a transition and returns its id.
   *
   * @param state encoded state ({@link FeatureEncoder#encode})
   * @param next encoded n-step next state, same layer count
   * @param moves move per layer
   * @param reward n-step discounted reward
   * @param discount bootstrap discount (0 when the episode ended)
   * @param priority initial priority (the explorer's |TD error| estimate)
   */
  public long insert(
      float[] state, float[] next, int[] moves, float reward, float discount, double priority) {
    int layers = FeatureEncoder.layers(state);
    if (FeatureEncoder.layers(next) != layers || moves.length != layers) {
      throw new IllegalArgumentException(
          "transition of "
              + layers
              + " layers has a next state of "
              + FeatureEncoder.layers(next)
              + " and "
              + moves.length
              + " moves");
    }
    int slot = reserve(layers, reward, discount, priority);
    int start = offsets[slot];
    System.arraycopy(state, 0, arena, start, state.length);
    System.arraycopy(next, 0, arena, start + state.length, next.length);
    int m = start + 2 * state.length;
    for (int i = 0; i < layers; i++) {
      arena[m + i] = moves[i];
    }
    return slots.idAt(slot);
  }

  /**
   * Stores a transition given as its whole payload ({@link #payload}: state, next state, moves) and
   * returns its id: how the replay journal restores what it read back.
   *
   * @throws IllegalArgumentException when the payload's length is not that of {@code layers}
   */
  public long insertPayload(
      float[] payload, int layers, float reward, float discount, double priority) {
    if (layers < 1 || payload.length != payloadFloats(layers)) {
      throw new IllegalArgumentException(
          "a payload of " + payload.length + " floats is not one of " + layers + " layers");
    }
    int slot = reserve(layers, reward, discount, priority);
    System.arraycopy(payload, 0, arena, offsets[slot], payload.length);
    return slots.idAt(slot);
  }

  /**
   * Makes room for a transition of {@code layers} layers (evicting the oldest as either bound
   * needs), takes its slot and records its scalars; the caller writes the payload at its offset.
   */
  private int reserve(int layers, float reward, float discount, double priority) {
    if (layers > Short.MAX_VALUE) {
      throw new IllegalArgumentException(layers + " layers");
    }
    int length = payloadFloats(layers);
    if (length > arena.length) {
      throw new IllegalArgumentException(
          "a transition of " + layers + " layers does not fit the replay's arena");
    }
    long id = slots.inserted();
    if (id - oldest >= slots.capacity()) {
      evictOldest();
    }
    int start = head;
    int skippedFrom = -1;
    if (start + length > arena.length) {
      skippedFrom = start;
      start = 0;
    }
    while (oldest < id && blocks(oldest, start, length, skippedFrom)) {
      evictOldest();
    }
    int slot = slots.insert(priority);
    offsets[slot] = start;
    layerCounts[slot] = (short) layers;
    rewards[slot] = reward;
    discounts[slot] = discount;
    head = start + length;
    return slot;
  }

  /**
   * Makes an empty store number its next transition {@code id} (a restored replay continues its
   * journal's ids).
   *
   * @throws IllegalStateException when anything was inserted already
   */
  public void startAt(long id) {
    slots.startAt(id);
    oldest = id;
  }

  /** The id of the oldest transition held (the next insert's id when empty). */
  public long oldest() {
    return oldest;
  }

  /** The id of the transition in {@code slot}, -1 when empty. */
  public long idAt(int slot) {
    return slots.idAt(slot);
  }

  /** The slot of transition {@code id} (whether or not it is still held). */
  public int slotOf(long id) {
    return slot(id);
  }

  /** Layers of the transition in {@code slot}. */
  public int layersAt(int slot) {
    return layerCounts[slot];
  }

  /** Reward of the transition in {@code slot}. */
  public float rewardAt(int slot) {
    return rewards[slot];
  }

  /** Discount of the transition in {@code slot}. */
  public float discountAt(int slot) {
    return discounts[slot];
  }

  /**
   * A copy of the payload of the transition in {@code slot}: encoded state, encoded next state, one
   * move per layer ({@link #payloadFloats} floats).
   */
  public float[] payload(int slot) {
    int from = offsets[slot];
    return java.util.Arrays.copyOfRange(arena, from, from + payloadFloats(layerCounts[slot]));
  }

  /** Whether transition {@code id}'s payload lies in the way of a write at [start, start+len). */
  private boolean blocks(long id, int start, int length, int skippedFrom) {
    int slot = slot(id);
    int from = offsets[slot];
    int to = from + payloadFloats(layerCounts[slot]);
    // After a wrap, payloads in the skipped tail are older than anything at the arena's start.
    return (skippedFrom >= 0 && from >= skippedFrom) || (from < start + length && start < to);
  }

  private void evictOldest() {
    slots.remove(slot(oldest));
    oldest++;
    evicted++;
  }

  private int slot(long id) {
    return (int) (id % slots.capacity());
  }

  /** Draws {@code batch} transitions by priority and lays them out as rows. */
  public SampledBatch sample(int batch, double beta, Random random) {
    PrioritizedSlots.Batch b = slots.sample(batch, beta, random);
    int[] layers = new int[batch];
    int rows = 0;
    for (int i = 0; i < batch; i++) {
      layers[i] = layerCounts[b.slots()[i]];
      rows += layers[i];
    }
    int width = FeatureEncoder.ROW;
    float[] states = new float[rows * width];
    float[] nextStates = new float[rows * width];
    int[] moves = new int[rows];
    int[] owner = new int[rows];
    float[] r = new float[batch];
    float[] d = new float[batch];
    int row = 0;
    for (int i = 0; i < batch; i++) {
      int slot = b.slots()[i];
      int at = offsets[slot];
      int stateLength = FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layers[i];
      r[i] = rewards[slot];
      d[i] = discounts[slot];
      for (int l = 0; l < layers[i]; l++) {
        copyRow(at, l, states, row * width);
        copyRow(at + stateLength, l, nextStates, row * width);
        moves[row] = (int) arena[at + 2 * stateLength + l];
        owner[row] = i;
        row++;
      }
    }
    return new SampledBatch(
        b.slots(), b.ids(), b.weights(), layers, rows, states, nextStates, moves, owner, r, d);
  }

  private void copyRow(int stateAt, int layer, float[] out, int outAt) {
    System.arraycopy(arena, stateAt, out, outAt, FeatureEncoder.GLOBAL);
    System.arraycopy(
        arena,
        stateAt + FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layer,
        out,
        outAt + FeatureEncoder.GLOBAL,
        FeatureEncoder.LAYER);
  }

  /**
   * Sets new priorities (the learner's |TD errors|); returns how many transitions were still here.
   */
  public int updatePriorities(int[] slotsOf, long[] ids, double[] priorities) {
    int updated = 0;
    for (int i = 0; i < slotsOf.length; i++) {
      if (slots.update(slotsOf[i], ids[i], priorities[i])) {
        updated++;
      }
    }
    return updated;
  }

  /** Transitions held. */
  public int size() {
    return slots.size();
  }

  /** Most transitions held. */
  public int capacity() {
    return slots.capacity();
  }

  /** Transitions inserted so far. */
  public long inserted() {
    return slots.inserted();
  }

  /** Transitions evicted so far (by either bound). */
  public long evicted() {
    return evicted;
  }

  /** Sum of the stored (exponentiated) priorities. */
  public double prioritySum() {
    return slots.prioritySum();
  }

  /** Bytes of the store's arrays (payload arena, per-slot arrays, sum tree), as allocated. */
  public long bytes() {
    long perSlot = Integer.BYTES + Short.BYTES + 2L * Float.BYTES + Long.BYTES;
    long tree = 2L * Long.highestOneBit(Math.max(1, 2L * slots.capacity() - 1)) * Double.BYTES;
    return (long) arena.length * Float.BYTES + perSlot * slots.capacity() + tree;
  }
}
