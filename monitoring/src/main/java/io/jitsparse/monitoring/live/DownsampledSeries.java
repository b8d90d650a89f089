package io.jitsparse.monitoring.live;

import java.util.ArrayList;
import java.util.List;

/**
 * A series of at most {@code capacity} items in arrival order, each stamped with the board's
 * sequence number. When it overflows it drops every other item (keeping the newest) and doubles the
 * stride, the smallest gap in position between kept items: memory stays bounded however long the
 * run, and the retained items still span all of it, evenly spaced. Not thread-safe: the board
 * guards it.
 */
final class DownsampledSeries<T> {

  private final int capacity;
  private final List<T> items;
  private final long[] seqs;
  private final long[] positions;
  private long stride = 1;
  // Sequence number of the last halving: a reader whose cursor is older holds dropped items.
  private long resetSeq;

  /**
   * @param capacity items kept at most (at least {@link LiveSettings#MIN_POINTS})
   * @param createdSeq the board's sequence number when the series was created
   */
  DownsampledSeries(int capacity, long createdSeq) {
    this.capacity = capacity;
    this.items = new ArrayList<>(capacity + 1);
    this.seqs = new long[capacity + 1];
    this.positions = new long[capacity + 1];
    this.resetSeq = createdSeq;
  }

  /** Whether an item at {@code position} would be kept (the stride has passed since the last). */
  boolean wants(long position) {
    return items.isEmpty() || position - positions[items.size() - 1] >= stride;
  }

  /**
   * Appends {@code item} (the caller checked {@link #wants}) and halves the series if it overflows.
   */
  void add(T item, long position, long seq) {
    int n = items.size();
    items.add(item);
    seqs[n] = seq;
    positions[n] = position;
    if (items.size() > capacity) {
      halve(seq);
    }
  }

  private void halve(long seq) {
    int n = items.size();
    int kept = 0;
    // Walk so that the newest item survives: it is what a live view shows last.
    for (int i = (n - 1) % 2; i < n; i += 2) {
      items.set(kept, items.get(i));
      seqs[kept] = seqs[i];
      positions[kept] = positions[i];
      kept++;
    }
    items.subList(kept, n).clear();
    stride *= 2;
    resetSeq = seq;
  }

  /** Whether a reader at cursor {@code since} must drop its copy and take {@link #all}. */
  boolean needsReset(long since) {
    return since < resetSeq;
  }

  /** Items stamped after {@code since}, oldest first. */
  List<T> after(long since) {
    int i = items.size();
    while (i > 0 && seqs[i - 1] > since) {
      i--;
    }
    return List.copyOf(items.subList(i, items.size()));
  }

  /** Every item, oldest first. */
  List<T> all() {
    return List.copyOf(items);
  }

  int size() {
    return items.size();
  }

  long stride() {
    return stride;
  }
}
