package io.jitsparse.env.growth;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Grows nothing: the pruned weights stay pruned, which turns dynamic sparse training into gradual
 * pruning (Zhu and Gupta, "To prune, or not to prune", 2017, Eq. 1, when paired with a decreasing
 * density schedule).
 */
public final class NoGrowth implements GrowCriterion {

  /** Command-line name. */
  public static final String NAME = "none";

  private static final int[] NOTHING = new int[0];

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int[] selectToGrow(LayerView layer, int count, SplittableRandom rng) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    return NOTHING;
  }
}
