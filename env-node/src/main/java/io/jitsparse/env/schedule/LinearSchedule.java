package io.jitsparse.env.schedule;

/**
 * Gradual pruning with sparsity growing linearly in time: {@code s_t = s_i + (s_f - s_i) * (t - t0)
 * / (t1 - t0)} (the linear counterpart of Zhu and Gupta, "To prune, or not to prune", 2017, Eq. 1),
 * evaluated at update points as described in {@link GradualSchedule}.
 */
public final class LinearSchedule extends GradualSchedule {

  /** Command-line name. */
  public static final String NAME = "linear";

  /** See {@link GradualSchedule#GradualSchedule}. */
  public LinearSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    super(initialDensity, finalDensity, startStep, endStep, deltaT);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected double progress(double p) {
    return p;
  }
}
