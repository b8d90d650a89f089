package io.jitsparse.env.train;

import java.util.List;

/**
 * Step decay of the learning rate: multiplied by {@code factor} at each of the given fractions of
 * the run's steps (the "Fantastic Weights" protocol: x0.1 at 50% and 75%), so that a short run
 * decays at the same fractions as a long one.
 */
public final class LearningRateSchedule {

  private final double base;
  private final long[] milestones;
  private final double factor;

  /**
   * @param base initial learning rate
   * @param fractions fractions of {@code totalSteps} at which the rate decays
   * @param factor multiplier applied at each milestone
   * @param totalSteps the run's length in steps
   */
  public LearningRateSchedule(double base, List<Double> fractions, double factor, long totalSteps) {
    this.base = base;
    this.factor = factor;
    this.milestones =
        fractions.stream().mapToLong(f -> Math.round(f * totalSteps)).sorted().toArray();
  }

  /** The learning rate of the step taken after {@code completedSteps} steps. */
  public double at(long completedSteps) {
    double lr = base;
    for (long m : milestones) {
      if (completedSteps >= m) {
        lr *= factor;
      }
    }
    return lr;
  }
}
