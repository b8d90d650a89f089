package io.jitsparse.env.loadgen;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of round-trip times in nanoseconds, shared by all simulated
 * trainers of a load generator (they run concurrently on the dispatcher, so recording must not
 * lock; funnelling every sample through one actor would add the very queueing being measured).
 *
 * <p>Each power of two is split into {@value #SUB_BUCKETS} linear buckets, so a percentile is
 * reported within about 3% of the true value (the bucket's midpoint, never above the exact
 * maximum), at a fixed 16 KiB whatever the number of samples.
 */
public final class LatencyRecorder {

  private static final int SUB_BITS = 5;
  private static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int BUCKETS = (Long.SIZE - SUB_BITS + 1) * SUB_BUCKETS;
  private static final double NANOS_PER_MS = 1e6;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong max = new AtomicLong();

  /** Records one round trip; negative values (a clock oddity) count as 0. */
  public void record(long nanos) {
    long v = Math.max(0, nanos);
    counts.incrementAndGet(bucket(v));
    max.accumulateAndGet(v, Math::max);
  }

  /**
   * Forgets every sample (the start of the measured window). Samples recorded concurrently with a
   * reset may survive it; the window starts seconds after the warm-up began, so a handful of such
   * samples do not move the percentiles.
   */
  public void reset() {
    for (int i = 0; i < BUCKETS; i++) {
      counts.set(i, 0);
    }
    max.set(0);
  }

  /** Samples recorded since the last reset. */
  public long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The largest sample in nanoseconds (0 when empty). */
  public long maxNanos() {
    return max.get();
  }

  /**
   * The {@code q}-quantile in nanoseconds: the midpoint of the bucket holding the sample of rank
   * ceil(q * count), capped at the maximum; 0 when empty.
   *
   * @param q in [0, 1]
   */
  public long percentileNanos(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    long[] snapshot = new long[BUCKETS];
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      n += snapshot[i];
    }
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return Math.min(midpoint(i), max.get());
      }
    }
    return max.get();
  }

  /** {@link #percentileNanos} in milliseconds. */
  public double percentileMs(double q) {
    return percentileNanos(q) / NANOS_PER_MS;
  }

  /** {@link #maxNanos} in milliseconds. */
  public double maxMs() {
    return maxNanos() / NANOS_PER_MS;
  }

  /** Values below 32 get a bucket each; above, 32 buckets per power of two. */
  static int bucket(long v) {
    if (v < SUB_BUCKETS) {
      return (int) v;
    }
    int exponent = Long.SIZE - 1 - Long.numberOfLeadingZeros(v);
    int shift = exponent - SUB_BITS;
    int sub = (int) ((v >>> shift) & (SUB_BUCKETS - 1));
    return (shift + 1) * SUB_BUCKETS + sub;
  }

  /** The midpoint of bucket {@code i}'s value range. */
  static long midpoint(int i) {
    if (i < SUB_BUCKETS) {
      return i;
    }
    int shift = i / SUB_BUCKETS - 1;
    int sub = i % SUB_BUCKETS;
    long low = ((long) (SUB_BUCKETS + sub)) << shift;
    long width = 1L << shift;
    return low + width / 2;
  }
}
