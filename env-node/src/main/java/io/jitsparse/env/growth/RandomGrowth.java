package io.jitsparse.env.growth;

import io.jitsparse.env.pruning.Selection;
import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Random growth: brings back inactive weights chosen uniformly at random (SET, Mocanu et al.,
 * "Scalable training of artificial neural networks with adaptive sparse connectivity", Nature
 * Communications 2018, Algorithm 1). All randomness comes from the {@link SplittableRandom} passed
 * in.
 */
public final class RandomGrowth implements GrowCriterion {

  /** Command-line name. */
  public static final String NAME = "random";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int[] selectToGrow(LayerView layer, int count, SplittableRandom rng) {
    return Selection.randomInactive(layer.mask(), count, rng);
  }
}
