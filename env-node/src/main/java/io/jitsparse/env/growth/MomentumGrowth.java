package io.jitsparse.env.growth;

import io.jitsparse.env.pruning.Selection;
import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Momentum growth: brings back the inactive weights with the largest magnitude of the exponentially
 * smoothed dense gradient, which is less noisy than one step's gradient (sparse momentum, Dettmers
 * and Zettlemoyer, "Sparse Networks from Scratch: Faster Training without Losing Performance",
 * 2019).
 */
public final class MomentumGrowth implements GrowCriterion {

  /** Command-line name. */
  public static final String NAME = "momentum";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsGradientMomentum() {
    return true;
  }

  /**
   * @throws IllegalStateException if the layer carries no gradient momentum
   */
  @Override
  public int[] selectToGrow(LayerView layer, int count, SplittableRandom rng) {
    float[] momentum = layer.gradientMomentum();
    if (momentum == null) {
      throw new IllegalStateException(
          "momentum growth needs the gradient momentum of layer " + layer.name());
    }
    return Selection.highestInactive(GradientGrowth.absolute(momentum), layer.mask(), count);
  }

  @Override
  public boolean needsDenseGradient() {
    return true;
  }
}
