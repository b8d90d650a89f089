package io.jitsparse.env.schedule;

/**
 * A gradual pruning curve from {@code initialDensity} at {@code startStep} to {@code finalDensity}
 * at {@code endStep}, applied only at mask updates every {@code deltaT} steps (Zhu and Gupta, "To
 * prune, or not to prune", 2017, Eq. 1: {@code t in {t0, t0 + dt, ..., t0 + n dt}}). Sparsity
 * {@code s = 1 - d} moves from {@code s_i} to {@code s_f} as {@code s_i + (s_f - s_i) *
 * progress(p)}, where {@code p = (u - t0) / (t1 - t0)} and {@code u} is the last update point
 * {@code t0 + k * deltaT <= t}. Before {@code t0} the density is {@code initialDensity}; from
 * {@code t1} on it is {@code finalDensity}.
 */
public abstract class GradualSchedule implements DensitySchedule {

  private final double initialDensity;
  private final double finalDensity;
  private final long startStep;
  private final long endStep;
  private final long deltaT;

  /**
   * @param initialDensity density before {@code startStep}, in (0, 1] (usually 1.0)
   * @param finalDensity density from {@code endStep} on, in (0, 1]
   * @param startStep first update point {@code t0}, {@code >= 0}
   * @param endStep step {@code t1 >= t0} from which {@code finalDensity} holds
   * @param deltaT steps between mask updates, {@code >= 1}
   */
  protected GradualSchedule(
      double initialDensity, double finalDensity, long startStep, long endStep, long deltaT) {
    this.initialDensity = requireDensity("initial density", initialDensity);
    this.finalDensity = requireDensity("final density", finalDensity);
    if (startStep < 0) {
      throw new IllegalArgumentException("start step must be >= 0, got " + startStep);
    }
    if (endStep < startStep) {
      throw new IllegalArgumentException(
          "end step must be >= start step " + startStep + ", got " + endStep);
    }
    if (deltaT < 1) {
      throw new IllegalArgumentException("deltaT must be >= 1, got " + deltaT);
    }
    this.startStep = startStep;
    this.endStep = endStep;
    this.deltaT = deltaT;
  }

  /**
   * The share of the way from the initial to the final sparsity at progress {@code p} in [0, 1): 0
   * at {@code p = 0} for a gradual curve, reaching 1 as {@code p} reaches 1.
   */
  protected abstract double progress(double p);

  @Override
  public final double density(long step) {
    if (step < startStep) {
      return initialDensity;
    }
    if (step >= endStep) {
      return finalDensity;
    }
    long lastUpdate = startStep + (step - startStep) / deltaT * deltaT;
    double p = (double) (lastUpdate - startStep) / (endStep - startStep);
    double initialSparsity = 1 - initialDensity;
    double finalSparsity = 1 - finalDensity;
    return 1 - (initialSparsity + (finalSparsity - initialSparsity) * progress(p));
  }

  /** Density before {@link #startStep()}. */
  public double initialDensity() {
    return initialDensity;
  }

  /** Density from {@link #endStep()} on. */
  public double finalDensity() {
    return finalDensity;
  }

  /** First update point {@code t0}. */
  public long startStep() {
    return startStep;
  }

  /** Step {@code t1} from which the final density holds. */
  public long endStep() {
    return endStep;
  }

  /** Steps between mask updates. */
  public long deltaT() {
    return deltaT;
  }

  @Override
  public String toString() {
    return name()
        + "(d "
        + initialDensity
        + " -> "
        + finalDensity
        + ", steps "
        + startStep
        + ".."
        + endStep
        + " every "
        + deltaT
        + ")";
  }

  static double requireDensity(String what, double density) {
    if (!(density > 0 && density <= 1)) {
      throw new IllegalArgumentException(what + " must be in (0, 1], got " + density);
    }
    return density;
  }
}
