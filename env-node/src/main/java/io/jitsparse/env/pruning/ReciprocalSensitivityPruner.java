package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Reciprocal-sensitivity pruning: importance {@code |w| / (|g| + epsilon)} (Nowak et al.,
 * "Fantastic Weights and How to Find Them", NeurIPS 2023, Section 3, reciprocal sensitivity).
 * Weights that are small relative to the gradient pushing them, that is likely to change sign soon,
 * go first. The epsilon keeps a zero gradient finite.
 */
public final class ReciprocalSensitivityPruner implements PruneCriterion {

  /** Command-line name. */
  public static final String NAME = "reciprocal-sensitivity";

  /** Guard against division by a zero gradient; the "Fantastic Weights" code's value. */
  public static final double DEFAULT_EPSILON = SensitivityPruner.DEFAULT_EPSILON;

  private final double epsilon;

  /** Reciprocal sensitivity with {@link #DEFAULT_EPSILON}. */
  public ReciprocalSensitivityPruner() {
    this(DEFAULT_EPSILON);
  }

  /**
   * @param epsilon added to {@code |g|} in the denominator; finite and {@code > 0}
   */
  public ReciprocalSensitivityPruner(double epsilon) {
    this.epsilon = SensitivityPruner.requirePositiveEpsilon(epsilon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public float[] scores(LayerView layer, SplittableRandom rng) {
    return ElementwiseScores.of(layer, (w, g) -> (float) (Math.abs(w) / (Math.abs(g) + epsilon)));
  }
}
