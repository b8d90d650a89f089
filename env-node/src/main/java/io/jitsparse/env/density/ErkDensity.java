package io.jitsparse.env.density;

/**
 * Erdős–Rényi-Kernel distribution (Evci et al., "Rigging the Lottery", ICML 2020, Section 3; {@code
 * erdos_renyi_kernel} in their {@code sparse_utils.get_sparsities}): {@code d_l = eps * (sum of the
 * kernel's dimensions / product of its dimensions)^powerScale}, capped at 1, for conv {@code [kH,
 * kW, in, out]} {@code (kH + kW + in + out) / (kH * kW * in * out)} and for dense {@code [in, out]}
 * {@code (in + out) / (in * out)}; {@code eps} is solved so that the global density holds (see
 * {@link ScaledRawDensity}).
 */
public final class ErkDensity extends ScaledRawDensity {

  /** Command-line name. */
  public static final String NAME = "erk";

  /** RigL's default {@code erk_power_scale}: plain ERK. */
  public static final double DEFAULT_POWER_SCALE = 1.0;

  /** ERK with {@link #DEFAULT_POWER_SCALE}. */
  public ErkDensity() {
    this(DEFAULT_POWER_SCALE);
  }

  /**
   * @param powerScale exponent on the raw density; 0 gives uniform, 1 plain ERK
   */
  public ErkDensity(double powerScale) {
    super(powerScale);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  double baseRawDensity(long[] shape) {
    requireRank(shape, 1);
    double sum = 0;
    double product = 1;
    for (long dim : shape) {
      sum += dim;
      product *= dim;
    }
    return sum / product;
  }
}
