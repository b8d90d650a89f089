package io.jitsparse.env.density;

/**
 * Erdős–Rényi distribution (Mocanu et al., "Scalable training of artificial neural networks with
 * adaptive sparse connectivity", Nature Communications 2018; {@code erdos_renyi} in Evci et al.'s
 * {@code sparse_utils.get_sparsities}): {@code d_l = eps * ((in + out) / (in * out))^powerScale},
 * capped at 1, with {@code eps} solved so that the global density holds (see {@link
 * ScaledRawDensity}).
 *
 * <p>Like RigL's code, {@code in} and {@code out} are the last two dimensions of the shape: the
 * input and output channels of a conv kernel {@code [kH, kW, inC, outC]}, ignoring the kernel size
 * (which is what ERK adds), and the rows and columns of a dense {@code [in, out]}. RigL's ER takes
 * no power scale; here it is applied as for ERK and the default 1.0 matches RigL.
 */
public final class ErDensity extends ScaledRawDensity {

  /** Command-line name. */
  public static final String NAME = "er";

  private static final int CHANNEL_DIMS = 2;

  /** ER with {@link ErkDensity#DEFAULT_POWER_SCALE}. */
  public ErDensity() {
    this(ErkDensity.DEFAULT_POWER_SCALE);
  }

  /**
   * @param powerScale exponent on the raw density; 0 gives uniform, 1 plain ER
   */
  public ErDensity(double powerScale) {
    super(powerScale);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  double baseRawDensity(long[] shape) {
    requireRank(shape, CHANNEL_DIMS);
    double in = shape[shape.length - 2];
    double out = shape[shape.length - 1];
    return (in + out) / (in * out);
  }
}
