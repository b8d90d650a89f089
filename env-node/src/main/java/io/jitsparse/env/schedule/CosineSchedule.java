package io.jitsparse.env.schedule;

/**
 * Gradual pruning along a half cosine: {@code s_t = s_f + (s_i - s_f) (1 + cos(pi (t - t0) / (t1 -
 * t0))) / 2}, slow at both ends (the cosine shape of RigL's update-fraction decay, Evci et al.,
 * "Rigging the Lottery", ICML 2020, Section 3, applied to the sparsity curve of Zhu and Gupta 2017,
 * Eq. 1); evaluated at update points as described in {@link GradualSchedule}.
 */
public final class CosineSchedule extends GradualSchedule {

  /** Command-line name. */
  public static final String NAME = "cosine";

  /** See {@link GradualSchedule#GradualSchedule}. */
  public CosineSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    super(initialDensity, finalDensity, startStep, endStep, deltaT);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected double progress(double p) {
    return (1 - Math.cos(Math.PI * p)) / 2;
  }
}
