package io.jitsparse.env.schedule;

/**
 * One-shot pruning: the final density from {@code startStep} on, the initial density before (the
 * degenerate case of Zhu and Gupta, "To prune, or not to prune", 2017, Eq. 1 with {@code n = 0}
 * pruning steps).
 */
public final class ConstantSchedule extends GradualSchedule {

  /** Command-line name. */
  public static final String NAME = "constant";

  /** See {@link GradualSchedule#GradualSchedule}. */
  public ConstantSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    super(initialDensity, finalDensity, startStep, endStep, deltaT);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected double progress(double p) {
    return 1.0;
  }
}
