package io.jitsparse.env.pruning;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the lowest- or highest-scored entries of a layer among its active or inactive weights: the
 * top-k step shared by every prune and grow criterion (Nowak et al., "Fantastic Weights and How to
 * Find Them", NeurIPS 2023, Section 3: prune the k active weights of lowest importance; Evci et
 * al., "Rigging the Lottery", ICML 2020, Section 3: grow the k inactive ones of highest gradient
 * magnitude).
 *
 * <p>Each candidate is packed into one {@code long}, the score's order-preserving bits above its
 * index, so that a primitive selection on {@code long[]} ranks by score and breaks ties by index
 * without boxing; a quickselect then finds the {@code count} best in linear expected time and only
 * those are sorted. Scores equal to {@code -0.0} rank as {@code 0.0}; {@code NaN} ranks as the
 * least important score (pruned first, grown last).
 */
public final class Selection {

  private static final int INDEX_BITS = 32;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

  /**
   * Introselect falls back to a full sort of the remaining range after this many partitions per bit
   * of the input size, so that adversarial inputs cannot make it quadratic.
   */
  private static final int PARTITIONS_PER_SIZE_BIT = 2;

  private Selection() {}

  /**
   * Indices of the {@code count} lowest-scored active entries ({@code mask[i] != 0}), lowest first,
   * ties broken by lower index. Returns all active entries when there are fewer than {@code count}.
   */
  public static int[] lowestActive(float[] scores, float[] mask, int count) {
    checkArguments(scores, mask, count);
    int active = countActive(mask);
    long[] keys = new long[active];
    int k = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] != 0f) {
        keys[k++] = key(ascendingBits(scores[i]), i);
      }
    }
    return lowestPositions(keys, count);
  }

  /**
   * Indices of the {@code count} highest-scored inactive entries ({@code mask[i] == 0}), highest
   * first, ties broken by lower index. Returns all inactive entries when there are fewer than
   * {@code count}.
   */
  public static int[] highestInactive(float[] scores, float[] mask, int count) {
    checkArguments(scores, mask, count);
    int inactive = mask.length - countActive(mask);
    long[] keys = new long[inactive];
    int k = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] == 0f) {
        keys[k++] = key(descendingBits(scores[i]), i);
      }
    }
    return lowestPositions(keys, count);
  }

  /**
   * {@code count} active indices drawn uniformly without replacement, in draw order (all active
   * indices, shuffled, when there are fewer).
   */
  public static int[] randomActive(float[] mask, int count, SplittableRandom rng) {
    checkCount(count);
    return randomSubset(indicesWhere(mask, true), count, rng);
  }

  /**
   * {@code count} inactive indices drawn uniformly without replacement, in draw order (all inactive
   * indices, shuffled, when there are fewer).
   */
  public static int[] randomInactive(float[] mask, int count, SplittableRandom rng) {
    checkCount(count);
    return randomSubset(indicesWhere(mask, false), count, rng);
  }

  /** Number of entries with {@code mask[i] != 0}. */
  static int countActive(float[] mask) {
    int n = 0;
    for (float m : mask) {
      if (m != 0f) {
        n++;
      }
    }
    return n;
  }

  /**
   * An int whose signed order is the float order of {@code score}, with {@code -0.0 == 0.0} and
   * {@code NaN} ranked as {@code -Infinity} (least important).
   */
  static int ascendingBits(float score) {
    // adding +0f turns -0f into +0f so that the two zeros tie and fall back to the index order
    float s = Float.isNaN(score) ? Float.NEGATIVE_INFINITY : score + 0f;
    int bits = Float.floatToRawIntBits(s);
    // negative floats order by decreasing magnitude bits: flip them, keep the sign bit
    return bits ^ ((bits >> (Integer.SIZE - 1)) & Integer.MAX_VALUE);
  }

  /** An int whose signed order is the reverse of {@link #ascendingBits}. */
  static int descendingBits(float score) {
    return ~ascendingBits(score);
  }

  /** Packs order bits above a non-negative position; signed long order = (bits, position). */
  static long key(int orderBits, int position) {
    return ((long) orderBits << INDEX_BITS) | (position & INDEX_MASK);
  }

  /** The position packed into a key. */
  static int position(long key) {
    return (int) (key & INDEX_MASK);
  }

  /**
   * Positions of the {@code count} smallest keys, smallest first. Reorders {@code keys}; the keys
   * must be distinct (they are, because each carries its own position).
   */
  static int[] lowestPositions(long[] keys, int count) {
    int k = Math.min(count, keys.length);
    if (k < keys.length) {
      selectSmallest(keys, k);
    }
    Arrays.sort(keys, 0, k);
    int[] positions = new int[k];
    for (int i = 0; i < k; i++) {
      positions[i] = position(keys[i]);
    }
    return positions;
  }

  /**
   * Rearranges {@code a} so that its first {@code k} entries are its {@code k} smallest (in no
   * particular order), for {@code 0 < k < a.length}: Hoare's FIND with a median-of-three pivot,
   * falling back to a sort when the partitions stop shrinking fast enough.
   */
  private static void selectSmallest(long[] a, int k) {
    if (k <= 0) {
      return;
    }
    int target = k - 1;
    int lo = 0;
    int hi = a.length - 1;
    int budget = PARTITIONS_PER_SIZE_BIT * (Integer.SIZE - Integer.numberOfLeadingZeros(a.length));
    while (lo < hi) {
      if (budget-- == 0) {
        Arrays.sort(a, lo, hi + 1);
        return;
      }
      long pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) {
        hi = j;
      } else if (target >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }

  private static long medianOfThree(long a, long b, long c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }

  private static int[] indicesWhere(float[] mask, boolean active) {
    int n = active ? countActive(mask) : mask.length - countActive(mask);
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < mask.length; i++) {
      if ((mask[i] != 0f) == active) {
        out[k++] = i;
      }
    }
    return out;
  }

  /** Partial Fisher-Yates shuffle: the first {@code count} draws are a uniform sample. */
  private static int[] randomSubset(int[] candidates, int count, SplittableRandom rng) {
    int k = Math.min(count, candidates.length);
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(candidates.length - i);
      int t = candidates[i];
      candidates[i] = candidates[j];
      candidates[j] = t;
    }
    return Arrays.copyOf(candidates, k);
  }

  private static void checkArguments(float[] scores, float[] mask, int count) {
    if (scores.length != mask.length) {
      throw new IllegalArgumentException(
          "scores and mask differ in length: " + scores.length + " vs " + mask.length);
    }
    checkCount(count);
  }

  private static void checkCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }
}
