package io.jitsparse.env.growth;

import io.jitsparse.env.pruning.Selection;
import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Gradient growth: brings back the inactive weights with the largest dense-gradient magnitude
 * {@code |g|}, those whose return would lower the loss fastest (RigL, Evci et al., "Rigging the
 * Lottery: Making All Tickets Winners", ICML 2020, Section 3). Ties, such as all-zero gradients, go
 * to the lower index.
 */
public final class GradientGrowth implements GrowCriterion {

  /** Command-line name. */
  public static final String NAME = "gradient";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int[] selectToGrow(LayerView layer, int count, SplittableRandom rng) {
    return Selection.highestInactive(absolute(layer.gradient()), layer.mask(), count);
  }

  static float[] absolute(float[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.abs(values[i]);
    }
    return out;
  }

  @Override
  public boolean needsDenseGradient() {
    return true;
  }
}
