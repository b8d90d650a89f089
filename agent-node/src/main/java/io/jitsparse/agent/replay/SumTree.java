package io.jitsparse.agent.replay;

import java.util.Arrays;

/**
 * A binary sum tree over a fixed number of slots, in one {@code double[]}: setting a slot's
 * priority and finding the slot at a given prefix sum both take O(log n). It is the index of
 * proportional prioritised replay (Schaul et al. 2016, section 3.3; Ape-X, Horgan et al. 2018):
 * slot i is sampled with probability p_i / sum_j p_j by drawing u uniformly in [0, total) and
 * finding the slot whose prefix-sum interval holds u.
 *
 * <p>Leaves live at {@code [size, 2 size)} of the array, with {@code size} the capacity rounded up
 * to a power of two; node k holds the sum of its children {@code 2k} and {@code 2k+1}. Not
 * thread-safe: one owner (the replay actor).
 */
public final class SumTree {

  private final int capacity;
  private final int size;
  private final double[] nodes;

  /** A tree of {@code capacity} slots, all at priority 0. */
  public SumTree(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("sum tree capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.size = Integer.highestOneBit(Math.max(1, capacity - 1)) << (capacity == 1 ? 0 : 1);
    this.nodes = new double[2 * size];
  }

  /** Number of slots. */
  public int capacity() {
    return capacity;
  }

  /** Sets slot {@code i}'s priority (finite, at least 0) and updates the sums above it. */
  public void set(int i, double priority) {
    if (i < 0 || i >= capacity) {
      throw new IndexOutOfBoundsException("slot " + i + " of " + capacity);
    }
    if (!(priority >= 0) || Double.isInfinite(priority)) {
      throw new IllegalArgumentException(
          "priority of slot " + i + " must be finite and >= 0: " + priority);
    }
    int k = size + i;
    nodes[k] = priority;
    for (k >>= 1; k >= 1; k >>= 1) {
      nodes[k] = nodes[2 * k] + nodes[2 * k + 1];
    }
  }

  /** Slot {@code i}'s priority. */
  public double get(int i) {
    if (i < 0 || i >= capacity) {
      throw new IndexOutOfBoundsException("slot " + i + " of " + capacity);
    }
    return nodes[size + i];
  }

  /** Sum of all priorities. */
  public double total() {
    return nodes[1];
  }

  /**
   * The slot whose prefix-sum interval contains {@code u}, for {@code 0 <= u < total()}; a slot of
   * priority 0 is never returned while the total is positive.
   */
  public int find(double u) {
    double total = total();
    if (!(total > 0)) {
      throw new IllegalStateException("nothing to sample: all priorities are 0");
    }
    // Rounding can leave u a hair above the sum of the leaves it descends into; clamp it inside.
    double rest = Math.min(Math.max(u, 0), Math.nextDown(total));
    int k = 1;
    while (k < size) {
      double left = nodes[2 * k];
      if (rest < left || nodes[2 * k + 1] <= 0) {
        k = 2 * k;
      } else {
        rest -= left;
        k = 2 * k + 1;
      }
    }
    int slot = k - size;
    if (nodes[k] <= 0) {
      // only reachable through rounding at an interval's edge: step back to a live neighbour
      slot = nearestLive(slot);
    }
    return slot;
  }

  private int nearestLive(int slot) {
    for (int d = 1; d < capacity; d++) {
      if (slot - d >= 0 && nodes[size + slot - d] > 0) {
        return slot - d;
      }
      if (slot + d < capacity && nodes[size + slot + d] > 0) {
        return slot + d;
      }
    }
    throw new IllegalStateException("no slot with a positive priority");
  }

  /** Largest priority of any slot (O(n); for tests and metrics, not the sampling path). */
  public double max() {
    return Arrays.stream(nodes, size, size + capacity).max().orElse(0);
  }
}
