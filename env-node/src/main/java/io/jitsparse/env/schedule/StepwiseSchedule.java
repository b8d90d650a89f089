package io.jitsparse.env.schedule;

/**
 * Staged pruning: sparsity rises in {@code stages} equal jumps at {@code t0 + k (t1 - t0) / stages}
 * for {@code k = 1..stages}, so {@code s_t = s_i + (s_f - s_i) floor(stages (t - t0) / (t1 - t0)) /
 * stages}: a staircase under the linear curve reaching {@code s_f} at {@code t1} (iterative pruning
 * in stages as in Han et al., "Learning both Weights and Connections for Efficient Neural
 * Networks", NeurIPS 2015, on the time axis of Zhu and Gupta 2017, Eq. 1). A jump that falls
 * between update points takes effect at the next one.
 */
public final class StepwiseSchedule extends GradualSchedule {

  /** Command-line name. */
  public static final String NAME = "step";

  /** Number of jumps when none is given. */
  public static final int DEFAULT_STAGES = 4;

  private final int stages;

  /** A staircase of {@link #DEFAULT_STAGES} jumps; see {@link GradualSchedule#GradualSchedule}. */
  public StepwiseSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    this(initialDensity, finalDensity, startStep, endStep, deltaT, DEFAULT_STAGES);
  }

  /**
   * @param stages number of equal jumps, {@code >= 1}
   */
  public StepwiseSchedule(
      double initialDensity,
      double finalDensity,
      long startStep,
      long endStep,
      long deltaT,
      int stages) {
    super(initialDensity, finalDensity, startStep, endStep, deltaT);
    if (stages < 1) {
      throw new IllegalArgumentException("stages must be >= 1, got " + stages);
    }
    this.stages = stages;
  }

  /** Number of jumps. */
  public int stages() {
    return stages;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected double progress(double p) {
    return Math.floor(p * stages) / stages;
  }
}
