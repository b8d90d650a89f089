package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * SNIP pruning: importance {@code |w * g|}, the first-order estimate of the loss change from
 * removing a weight (Lee et al., "SNIP: Single-shot Network Pruning based on Connection
 * Sensitivity", ICLR 2019, Section 4; "SNIP" in Nowak et al., "Fantastic Weights and How to Find
 * Them", NeurIPS 2023, Section 3). Taylor-FO, {@code (w * g)^2} (Molchanov et al. 2019), is a
 * monotone function of the same quantity and so ranks identically: {@link PruneCriteria} maps
 * {@code taylor} to this class.
 */
public final class SnipPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "snip";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> (float) Math.abs((double) w * g));
  }
}
