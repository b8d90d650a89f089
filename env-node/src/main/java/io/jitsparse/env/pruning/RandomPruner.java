package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Random pruning: removes active weights uniformly at random, the baseline criterion of Nowak et
 * al., "Fantastic Weights and How to Find Them", NeurIPS 2023, Section 3 ("Random"). All randomness
 * comes from the {@link SplittableRandom} passed in, so a seed fixes the choice.
 */
public final class RandomPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "random";

  @Override
  public String name() {
    return NAME;
  }

  /** Independent uniform scores in [0, 1), so that global pruning samples uniformly too. */
  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    float[] s = new float[layer.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) rng.nextDouble();
    }
    return s;
  }

  /**
   * An exact uniform sample; ranking random float scores would favour low indices on the ties that
   * 24-bit floats make likely in layers of millions of weights.
   */
  @Override
  public int[] selectToPrune(LayerView layer, int count, SplittableRandom rng) {
    return Selection.randomActive(layer.mask(), count, rng);
  }
}
