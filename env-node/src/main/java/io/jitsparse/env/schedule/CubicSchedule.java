package io.jitsparse.env.schedule;

/**
 * Automated gradual pruning (Zhu and Gupta, "To prune, or not to prune: exploring the efficacy of
 * pruning for model compression", 2017, Eq. 1): {@code s_t = s_f + (s_i - s_f) (1 - (t - t0) / (t1
 * - t0))^3}, pruning fast early while redundant weights are plentiful and slowly near the end;
 * evaluated at update points as described in {@link GradualSchedule}.
 */
public final class CubicSchedule extends GradualSchedule {

  /** Command-line name. */
  public static final String NAME = "cubic";

  private static final int AGP_EXPONENT = 3;

  /** See {@link GradualSchedule#GradualSchedule}. */
  public CubicSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    super(initialDensity, finalDensity, startStep, endStep, deltaT);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected double progress(double p) {
    return 1 - Math.pow(1 - p, AGP_EXPONENT);
  }
}
