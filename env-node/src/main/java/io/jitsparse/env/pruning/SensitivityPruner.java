package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Sensitivity pruning: importance {@code |g| / (|w| + epsilon)}, the gradient relative to the
 * weight (Nowak et al., "Fantastic Weights and How to Find Them", NeurIPS 2023, Section 3,
 * "Sensitivity"). Weights that barely move the loss relative to their size go first. The epsilon
 * keeps a zero weight (for example just regrown) finite.
 */
public final class SensitivityPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "sensitivity";

  /** Guard against division by a zero weight; the "Fantastic Weights" code's value. */
  public static final double DEFAULT_EPSILON = 1e-8;

  private final double epsilon;

  /** Sensitivity with {@link #DEFAULT_EPSILON}. */
  public SensitivityPruner() {
    this(DEFAULT_EPSILON);
  }

  /**
   * @param epsilon added to {@code |w|} in the denominator; finite and {@code > 0}
   */
  public SensitivityPruner(double epsilon) {
    this.epsilon = requirePositiveEpsilon(epsilon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> (float) (Math.abs(g) / (Math.abs(w) + epsilon)));
  }

  static double requirePositiveEpsilon(double epsilon) {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
    }
    return epsilon;
  }
}
