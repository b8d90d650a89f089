package io.jitsparse.agent.replay;

import java.util.Random;

/**
 * The index of a proportional prioritised replay (Schaul et al. 2016, eq. 1 and 2; Ape-X, Horgan et
 * al. 2018): a ring of {@code capacity} slots, filled in order and overwritten oldest first (FIFO
 * eviction), each with priority {@code (|p| + epsilon)^alpha} in a {@link SumTree}. Sampling is
 * stratified (one draw from each of {@code batch} equal slices of the total), and each sample
 * carries its importance-sampling weight {@code w_i = (N P(i))^-beta}, normalised by the batch's
 * largest weight.
 *
 * <p>Payloads live elsewhere, in primitive arrays indexed by the same slot; each slot also keeps
 * the id of the transition in it, so a priority update for a transition that was evicted since it
 * was sampled is ignored. Not thread-safe: one owner.
 */
public final class PrioritizedSlots {

  /** One sampled batch: slots, the ids of the transitions in them, and their weights. */
  public record Batch(int[] slots, long[] ids, double[] weights, double[] probabilities) {}

  private final SumTree tree;
  private final long[] ids;
  private final double alpha;
  private final double epsilon;
  private long nextId;
  private int size;

  /**
   * @param capacity slots
   * @param alpha priority exponent (0: uniform sampling, 1: fully proportional)
   * @param epsilon added to |priority| so that no transition becomes unsampleable
   */
  public PrioritizedSlots(int capacity, double alpha, double epsilon) {
    if (!(alpha >= 0) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "priority exponent " + alpha + " must be >= 0 and epsilon " + epsilon + " > 0");
    }
    this.tree = new SumTree(capacity);
    this.ids = new long[capacity];
    java.util.Arrays.fill(ids, -1);
    this.alpha = alpha;
    this.epsilon = epsilon;
  }

  /** Slots in use. */
  public int size() {
    return size;
  }

  /** Slots in all. */
  public int capacity() {
    return tree.capacity();
  }

  /** Sum of the stored (exponentiated) priorities. */
  public double prioritySum() {
    return tree.total();
  }

  /** Transitions inserted so far (the next insert gets this id). */
  public long inserted() {
    return nextId;
  }

  /**
   * Makes an empty index give its next transition {@code id} (a restored replay continues its
   * journal's ids).
   *
   * @throws IllegalStateException when anything was inserted already
   */
  public void startAt(long id) {
    if (nextId != 0 || size != 0 || id < 0) {
      throw new IllegalStateException(
          "can start at id " + id + " only an empty, unused index (next id " + nextId + ")");
    }
    nextId = id;
  }

  /**
   * Stores a new transition with {@code priority} (its |TD error|, or an explorer's estimate) and
   * returns its slot; when full, the oldest transition's slot is reused.
   */
  public int insert(double priority) {
    long id = nextId++;
    int slot = (int) (id % tree.capacity());
    if (ids[slot] < 0) {
      size++;
    }
    ids[slot] = id;
    tree.set(slot, scaled(priority));
    return slot;
  }

  /**
   * Empties {@code slot} (its transition is evicted before its turn, e.g. when the payload store
   * needs its room); it is never sampled again and is refilled by a later insert.
   */
  public void remove(int slot) {
    if (ids[slot] >= 0) {
      ids[slot] = -1;
      tree.set(slot, 0);
      size--;
    }
  }

  /** The id of the transition now in {@code slot}, -1 when empty. */
  public long idAt(int slot) {
    return ids[slot];
  }

  /**
   * Sets the priority of transition {@code id} in {@code slot}; returns false (and changes nothing)
   * when that transition has been evicted since.
   */
  public boolean update(int slot, long id, double priority) {
    if (slot < 0 || slot >= ids.length || ids[slot] != id) {
      return false;
    }
    tree.set(slot, scaled(priority));
    return true;
  }

  /**
   * Draws {@code batch} slots, stratified over the priority mass, with weights for {@code beta}.
   */
  public Batch sample(int batch, double beta, Random random) {
    if (size == 0) {
      throw new IllegalStateException("cannot sample an empty replay");
    }
    if (batch <= 0) {
      throw new IllegalArgumentException("batch size must be positive: " + batch);
    }
    int[] slots = new int[batch];
    long[] sampledIds = new long[batch];
    double[] weights = new double[batch];
    double[] probabilities = new double[batch];
    double total = tree.total();
    double segment = total / batch;
    double maxWeight = 0;
    for (int i = 0; i < batch; i++) {
      int slot = tree.find(segment * (i + random.nextDouble()));
      slots[i] = slot;
      sampledIds[i] = ids[slot];
      probabilities[i] = tree.get(slot) / total;
      weights[i] = Math.pow(size * probabilities[i], -beta);
      maxWeight = Math.max(maxWeight, weights[i]);
    }
    for (int i = 0; i < batch; i++) {
      weights[i] /= maxWeight;
    }
    return new Batch(slots, sampledIds, weights, probabilities);
  }

  private double scaled(double priority) {
    if (!Double.isFinite(priority)) {
      throw new IllegalArgumentException("priority must be finite: " + priority);
    }
    return Math.pow(Math.abs(priority) + epsilon, alpha);
  }

  /**
   * Importance-sampling exponent annealed linearly from {@code start} to 1 over {@code updates}
   * learner updates (Schaul et al. 2016, section 3.4), then held at 1.
   */
  public static double beta(double start, long update, long updates) {
    if (updates <= 0 || update >= updates) {
      return 1.0;
    }
    return start + (1.0 - start) * update / (double) updates;
  }
}
