package io.jitsparse.env.density;

import io.jitsparse.env.model.PrunableTensor;
import java.util.List;

/**
 * Spreads a global density over a model's prunable tensors (uniform, ER, ERK: Evci et al., "Rigging
 * the Lottery", 2020, Section 3; Mocanu et al. 2018).
 */
public interface DensityDistribution {

  /** The distribution's command-line name, for example {@code erk}. */
  String name();

  /**
   * Per-tensor density in [0, 1], in the order of {@code tensors}, such that the number of kept
   * weights {@code sum(round(d_i * n_i))} equals {@code round(globalDensity * sum(n_i))} to within
   * one weight per tensor.
   */
  double[] densities(List<PrunableTensor> tensors, double globalDensity);
}
