package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Magnitude pruning: importance {@code |w|} (Nowak et al., "Fantastic Weights and How to Find
 * Them", NeurIPS 2023, Section 3, "Magnitude"; the prune step of RigL, Evci et al. 2020).
 */
public final class MagnitudePruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "magnitude";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> Math.abs(w));
  }
}
