package io.jitsparse.agent.replay;

import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The replay's store: a ring of the newest {@code capacity} transitions (FIFO eviction, counted)
 * and, per explorer, which batch sequences it already holds, so a resent batch is acknowledged
 * without being stored twice. Sequences are tracked as a contiguous watermark plus the few seen
 * above it, because batches in flight can overtake a lost one that is resent later. Prioritised
 * sampling (Ape-X, Horgan et al. 2018) arrives with the learner. Not thread-safe: one per actor.
 */
public final class ReplayBuffer {

  /** Outcome of {@link #add}: transitions stored, whether it was a resend, how many evicted. */
  public record Added(int accepted, boolean duplicate, int evicted) {}

  private static final class Seen {
    long contiguous = -1;
    final TreeSet<Long> above = new TreeSet<>();

    boolean contains(long s) {
      return s <= contiguous || above.contains(s);
    }

    void add(long s) {
      above.add(s);
      while (above.remove(contiguous + 1)) {
        contiguous++;
      }
      // A sequence lost for good (its explorer dropped it) must not pin memory: give up on gaps
      // once far more batches arrived after them than any explorer keeps in flight.
      while (above.size() > MAX_GAP_TRACKING) {
        contiguous = above.pollFirst();
      }
    }
  }

  /** Out-of-order sequences remembered per explorer before gaps are given up. */
  static final int MAX_GAP_TRACKING = 1024;

  /** Explorers whose sequences are remembered (the least recently heard from are forgotten). */
  static final int MAX_EXPLORERS = 100_000;

  private final Transition[] ring;
  private int next;
  private int size;
  private long received;
  private long evicted;
  private final Map<String, Seen> seen =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
          return size() > MAX_EXPLORERS;
        }
      };

  /**
   * @param capacity transitions kept
   */
  public ReplayBuffer(int capacity) {
    this.ring = new Transition[capacity];
  }

  /** Stores a (checked) batch unless its (explorer_id, sequence) was stored before. */
  public Added add(TransitionBatch b) {
    Seen s = seen.computeIfAbsent(b.getExplorerId(), k -> new Seen());
    if (s.contains(b.getSequence())) {
      return new Added(0, true, 0);
    }
    s.add(b.getSequence());
    int evictedNow = 0;
    for (Transition t : b.getTransitionsList()) {
      if (size == ring.length) {
        evictedNow++;
      } else {
        size++;
      }
      ring[next] = t;
      next = (next + 1) % ring.length;
    }
    received += b.getTransitionsCount();
    evicted += evictedNow;
    return new Added(b.getTransitionsCount(), false, evictedNow);
  }

  /** Transitions held. */
  public int size() {
    return size;
  }

  /** Transitions the buffer can hold. */
  public int capacity() {
    return ring.length;
  }

  /** Transitions stored since start. */
  public long received() {
    return received;
  }

  /** Transitions evicted to make room. */
  public long evicted() {
    return evicted;
  }
}
