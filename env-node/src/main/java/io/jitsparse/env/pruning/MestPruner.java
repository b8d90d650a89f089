package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * MEST pruning: importance {@code |w| + gamma * |g|} (Yuan et al., "MEST: Accurate and Fast
 * Memory-Economic Sparse Training Framework on the Edge", NeurIPS 2021; "MEST" in Nowak et al.,
 * "Fantastic Weights and How to Find Them", NeurIPS 2023, Section 3). A weight that is small but
 * still pushed hard by the loss survives.
 */
public final class MestPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "mest";

  /** Weight of the gradient term; 1.0 as in the "Fantastic Weights" code's default. */
  public static final double DEFAULT_GAMMA = 1.0;

  private final double gamma;

  /** MEST with {@link #DEFAULT_GAMMA}. */
  public MestPruner() {
    this(DEFAULT_GAMMA);
  }

  /**
   * @param gamma weight of {@code |g|} against {@code |w|}; finite and {@code >= 0}
   */
  public MestPruner(double gamma) {
    if (!(gamma >= 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException("MEST gamma must be finite and >= 0, got " + gamma);
    }
    this.gamma = gamma;
  }

  /** Weight of the gradient term. */
  public double gamma() {
    return gamma;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> (float) (Math.abs(w) + gamma * Math.abs(g)));
  }
}
