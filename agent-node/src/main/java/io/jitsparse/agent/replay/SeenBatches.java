package io.jitsparse.agent.replay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which transition batches the replay already holds, per explorer, so a resent batch is
 * acknowledged without being stored twice. Sequences are tracked as a contiguous watermark plus the
 * few seen above it, because batches in flight can overtake a lost one that is resent later. Not
 * thread-safe: one per replay actor.
 */
public final class SeenBatches {

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

  private final Map<String, Seen> seen =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
          return size() > MAX_EXPLORERS;
        }
      };

  /** Records batch {@code sequence} of {@code explorerId}; false when it was recorded before. */
  public boolean firstTime(String explorerId, long sequence) {
    Seen s = seen.computeIfAbsent(explorerId, k -> new Seen());
    if (s.contains(sequence)) {
      return false;
    }
    s.add(sequence);
    return true;
  }
}
