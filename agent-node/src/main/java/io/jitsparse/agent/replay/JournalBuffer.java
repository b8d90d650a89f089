package io.jitsparse.agent.replay;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The replay's side of its journal: what changed since the last persist, in memory, as frames of
 * {@link JournalFormat} ready to append. Each insert is encoded as a transition frame at once (from
 * the store's own arrays); priority updates only mark their slot, and a drain writes each changed
 * slot's newest priority once, so a learner updating the same transitions many times between two
 * persists costs one entry each. The first drain, and any drain after the deltas of the current
 * priorities generation outgrow {@link #SNAPSHOT_GROWTH} snapshots (and {@link #MIN_LOG_BYTES}), is
 * a full snapshot that starts a new generation, so the priorities on disk stay within a few
 * snapshots. Not thread-safe: owned by the {@code Replay} actor; a drained {@link Flush} belongs to
 * whoever receives it.
 */
public final class JournalBuffer {

  /** Deltas a priorities generation may hold, in snapshots of the live range, before the next. */
  public static final int SNAPSHOT_GROWTH = 2;

  /** Deltas a priorities generation may always hold before a new snapshot. */
  public static final long MIN_LOG_BYTES = 1L << 20;

  private static final int INITIAL_BYTES = 1 << 16;

  /**
   * What one persist appends.
   *
   * @param firstId id of the first transition in {@code transitions} (the next id when none)
   * @param count transitions in {@code transitions}
   * @param transitions transition frames
   * @param priorities one priorities frame (a snapshot when {@code snapshot})
   * @param snapshot whether {@code priorities} starts a new generation
   * @param oldest id of the oldest transition held: segments wholly below it may go
   * @param pendingSinceNanos {@code System.nanoTime()} of the oldest change in it
   */
  public record Flush(
      long firstId,
      int count,
      ByteBuffer transitions,
      ByteBuffer priorities,
      boolean snapshot,
      long oldest,
      long pendingSinceNanos) {}

  private final double[] raw;
  private final boolean[] dirty;
  private final int[] dirtySlots;
  private int dirtyCount;
  private ByteBuffer transitions = ByteBuffer.allocate(INITIAL_BYTES);
  private long firstPending = -1;
  private int pending;
  private long pendingSince = -1;
  private long generationBytes;
  private boolean snapshotDue = true;

  /** A buffer for a replay of {@code capacity} slots. */
  public JournalBuffer(int capacity) {
    this.raw = new double[capacity];
    this.dirty = new boolean[capacity];
    this.dirtySlots = new int[capacity];
  }

  /** Records a restored transition's priority (nothing to persist: it is on disk). */
  void restored(int slot, double priority) {
    raw[slot] = priority;
  }

  /** The newest priority of the transition in {@code slot}, as given (before the exponent). */
  public double priority(int slot) {
    return raw[slot];
  }

  /** Encodes transition {@code id}, just inserted into {@code store} with {@code priority}. */
  public void inserted(CompactReplay store, long id, double priority, long nowNanos) {
    int slot = store.slotOf(id);
    raw[slot] = priority;
    float[] payload = store.payload(slot);
    ByteBuffer body =
        ByteBuffer.allocate(JournalFormat.TRANSITION_FIXED + payload.length * Float.BYTES);
    body.putLong(id)
        .putFloat(store.rewardAt(slot))
        .putFloat(store.discountAt(slot))
        .putDouble(priority)
        .putShort((short) store.layersAt(slot));
    body.asFloatBuffer().put(payload);
    body.position(body.capacity()).flip();
    ensure(JournalFormat.FRAME_BYTES + body.remaining());
    JournalFormat.frame(body, transitions);
    if (pending == 0) {
      firstPending = id;
    }
    pending++;
    since(nowNanos);
  }

  /** Records the learner's new priorities for those transitions {@code store} still holds. */
  public void updated(
      CompactReplay store, int[] slots, long[] ids, double[] priorities, long nowNanos) {
    for (int i = 0; i < slots.length; i++) {
      int slot = slots[i];
      if (slot < 0 || slot >= raw.length || store.idAt(slot) != ids[i]) {
        continue;
      }
      raw[slot] = priorities[i];
      if (!dirty[slot]) {
        dirty[slot] = true;
        dirtySlots[dirtyCount++] = slot;
      }
      since(nowNanos);
    }
  }

  /** {@code System.nanoTime()} of the oldest change not drained yet, empty when none. */
  public Optional<Long> pendingSince() {
    return pendingSince < 0 ? Optional.empty() : Optional.of(pendingSince);
  }

  /**
   * Everything changed since the last drain, with the live range of {@code store} and the counters
   * of {@code limit}; empty when nothing changed.
   */
  public Optional<Flush> drain(CompactReplay store, SamplesPerInsertLimit limit) {
    if (pending == 0 && dirtyCount == 0 && !snapshotDue) {
      return Optional.empty();
    }
    long oldest = store.oldest();
    long next = store.inserted();
    long live = next - oldest;
    long snapshotBytes = JournalFormat.PRIORITIES_FIXED + live * Double.BYTES;
    boolean snapshot =
        snapshotDue || generationBytes > Math.max(MIN_LOG_BYTES, SNAPSHOT_GROWTH * snapshotBytes);
    ByteBuffer body;
    if (snapshot) {
      body = header(JournalFormat.SNAPSHOT, oldest, next, limit, (int) live, Double.BYTES);
      for (long id = oldest; id < next; id++) {
        int slot = store.slotOf(id);
        body.putDouble(store.idAt(slot) == id ? raw[slot] : Double.NaN);
      }
      generationBytes = 0;
    } else {
      body =
          header(JournalFormat.DELTA, oldest, next, limit, dirtyCount, JournalFormat.DELTA_ENTRY);
      int n = 0;
      for (int i = 0; i < dirtyCount; i++) {
        int slot = dirtySlots[i];
        long id = store.idAt(slot);
        if (id >= 0) {
          body.putLong(id).putDouble(raw[slot]);
          n++;
        }
      }
      body.putInt(JournalFormat.PRIORITIES_FIXED - Integer.BYTES, n);
    }
    for (int i = 0; i < dirtyCount; i++) {
      dirty[dirtySlots[i]] = false;
    }
    dirtyCount = 0;
    body.flip();
    ByteBuffer priorities = ByteBuffer.allocate(JournalFormat.FRAME_BYTES + body.remaining());
    JournalFormat.frame(body, priorities);
    priorities.flip();
    generationBytes += priorities.remaining();
    transitions.flip();
    Flush f =
        new Flush(
            pending == 0 ? next : firstPending,
            pending,
            transitions,
            priorities,
            snapshot,
            oldest,
            pendingSince < 0 ? System.nanoTime() : pendingSince);
    transitions = ByteBuffer.allocate(INITIAL_BYTES);
    pending = 0;
    firstPending = -1;
    pendingSince = -1;
    snapshotDue = false;
    return Optional.of(f);
  }

  /** Makes the next drain a snapshot (after a persist failed, the journal starts a generation). */
  public void snapshotNext() {
    snapshotDue = true;
  }

  private static ByteBuffer header(
      byte type, long oldest, long next, SamplesPerInsertLimit limit, int count, int entryBytes) {
    ByteBuffer b = ByteBuffer.allocate(JournalFormat.PRIORITIES_FIXED + count * entryBytes);
    b.put(type).putLong(oldest).putLong(next).putLong(limit.inserts()).putLong(limit.samples());
    b.putInt(count);
    return b;
  }

  private void since(long nowNanos) {
    if (pendingSince < 0) {
      pendingSince = nowNanos;
    }
  }

  private void ensure(int more) {
    if (transitions.remaining() < more) {
      int size = Math.max(transitions.capacity() * 2, transitions.position() + more);
      ByteBuffer bigger = ByteBuffer.allocate(size);
      transitions.flip();
      bigger.put(transitions);
      transitions = bigger;
    }
  }
}
