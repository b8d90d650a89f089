package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * SET pruning (Mocanu et al., "Scalable training of artificial neural networks with adaptive sparse
 * connectivity", Nature Communications 2018, Algorithm 1; "SET" in Nowak et al., "Fantastic Weights
 * and How to Find Them", NeurIPS 2023, Section 3): removes the smallest positive weights and the
 * negative weights closest to zero, as two separate rankings.
 *
 * <p>The count is split between the signs in proportion to how many active weights each sign has
 * (SET removes the same fraction zeta of each), rounded half up for the non-negative side; a side
 * that runs out passes its remainder to the other. Active weights that are exactly zero (for
 * example just regrown) count as non-negative, and are the first to go.
 *
 * <p>{@link #scores} is {@code |w|}, which ranks each sign exactly as SET does; {@link
 * GlobalPruning} applies the sign split across all layers together.
 */
public final class SetPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "set";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> Math.abs(w));
  }

  @Override
  public int[] selectToPrune(LayerView layer, int count, SplittableRandom rng) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    float[] w = layer.weights();
    float[] mask = layer.mask();
    int nonNegative = 0;
    int negative = 0;
    for (int i = 0; i < w.length; i++) {
      if (mask[i] != 0f) {
        if (isNegative(w[i])) {
          negative++;
        } else {
          nonNegative++;
        }
      }
    }
    long[] nonNegativeKeys = new long[nonNegative];
    long[] negativeKeys = new long[negative];
    int p = 0;
    int n = 0;
    for (int i = 0; i < w.length; i++) {
      if (mask[i] != 0f) {
        // both sides rank by |w|: smallest positive first, negative closest to zero first
        long key = Selection.key(Selection.ascendingBits(Math.abs(w[i])), i);
        if (isNegative(w[i])) {
          negativeKeys[n++] = key;
        } else {
          nonNegativeKeys[p++] = key;
        }
      }
    }
    long[] split = splitBySign(count, nonNegative, negative);
    int[] fromNonNegative = Selection.lowestPositions(nonNegativeKeys, (int) split[0]);
    int[] fromNegative = Selection.lowestPositions(negativeKeys, (int) split[1]);
    int[] out = new int[fromNonNegative.length + fromNegative.length];
    System.arraycopy(fromNonNegative, 0, out, 0, fromNonNegative.length);
    System.arraycopy(fromNegative, 0, out, fromNonNegative.length, fromNegative.length);
    return out;
  }

  /** The sign SET files a weight under; zero (and NaN) counts as non-negative. */
  static boolean isNegative(float w) {
    return w < 0f;
  }

  /**
   * How many of {@code count} removals fall on the non-negative ({@code [0]}) and negative ({@code
   * [1]}) weights: proportional to their numbers, capped by what each side has.
   */
  static long[] splitBySign(long count, long nonNegative, long negative) {
    long total = nonNegative + negative;
    long k = Math.min(count, total);
    if (total == 0) {
      return new long[] {0, 0};
    }
    // round half up; in double because k * nonNegative can overflow a long for global pruning
    long fromNonNegative = Math.round((double) k * nonNegative / total);
    long fromNegative = k - fromNonNegative;
    if (fromNegative > negative) {
      fromNegative = negative;
      fromNonNegative = k - negative;
    }
    return new long[] {fromNonNegative, fromNegative};
  }
}
