package io.jitsparse.env.growth;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Decides which inactive weights of a layer to bring back. Regrown weights start at exactly zero;
 * the criterion only chooses positions (RigL, Evci et al. 2020, Section 3: grow by gradient
 * magnitude; SET, Mocanu et al. 2018: grow at random).
 */
public interface GrowCriterion {

  /** The criterion's command-line name, for example {@code gradient}. */
  String name();

  /** Whether the criterion reads {@link LayerView#gradientMomentum()}. */
  default boolean needsGradientMomentum() {
    return false;
  }

  /**
   * Whether choosing needs the dense gradient (of inactive weights too) at the update step. In
   * RigL's FLOPs accounting such a step costs {@code 2 f_S + f_D} per sample instead of {@code 3
   * f_S}.
   */
  default boolean needsDenseGradient() {
    return false;
  }

  /**
   * Flat indices of exactly {@code count} inactive weights ({@code mask[i] == 0}) to grow (fewer
   * only when the layer has fewer inactive weights).
   */
  int[] selectToGrow(LayerView layer, int count, SplittableRandom rng);
}
