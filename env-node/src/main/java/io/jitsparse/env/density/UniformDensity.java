package io.jitsparse.env.density;

import io.jitsparse.env.model.PrunableTensor;
import java.util.Arrays;
import java.util.List;

/**
 * Uniform distribution: every tensor keeps the global density (Evci et al., "Rigging the Lottery",
 * ICML 2020, Section 3, "Uniform": {@code d_l = d}).
 */
public final class UniformDensity implements DensityDistribution {

  /** Command-line name. */
  public static final String NAME = "uniform";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double[] densities(List<PrunableTensor> tensors, double globalDensity) {
    DensityDistributions.requireGlobalDensity(globalDensity);
    double[] d = new double[tensors.size()];
    Arrays.fill(d, globalDensity);
    return d;
  }
}
