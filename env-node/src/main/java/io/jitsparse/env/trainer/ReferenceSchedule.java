package io.jitsparse.env.trainer;

import io.jitsparse.env.flops.TrainingFlops;
import io.jitsparse.env.method.GmpMethod;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.BaselineMethods;
import io.jitsparse.env.train.BaselineSettings;
import java.util.List;

/**
 * The handcrafted schedule a learned schedule is steered around and budgeted against, step by step:
 * GMP (Zhu and Gupta 2017, Eq. 1; cubic by default) with per-layer densities from a distribution
 * (ERK by default, Evci et al. 2020), exactly as the engine's {@link GmpMethod} of the same
 * settings prunes, so that the zero log-offset reproduces the {@code gmp-cubic-erk} baseline. It
 * precomputes, for every step of the episode, the densities in effect after that step's mask update
 * and the reference's cumulative training FLOPs (RigL's accounting, {@link TrainingFlops}), which
 * the {@link BudgetWall} compares a learned schedule's spending with.
 */
final class ReferenceSchedule {

  private final long totalSteps;
  private final long endStep;
  private final double[][] densities;
  private final double[] cumulativeFlops;
  private final double finalInferenceFlops;
  private final GmpMethod method;

  /**
   * @param engine the engine settings of the reference (method gmp: schedule, distribution, start,
   *     end and update interval)
   * @param tensors the model's prunable tensors
   * @param totalSteps the episode's steps
   */
  ReferenceSchedule(BaselineSettings engine, List<PrunableTensor> tensors, long totalSteps) {
    if (!engine.method().equals("gmp")) {
      throw new IllegalArgumentException("the reference is a gmp method, not " + engine.method());
    }
    this.totalSteps = totalSteps;
    this.method = (GmpMethod) BaselineMethods.create(engine, totalSteps).method();
    this.endStep =
        Math.min(
            totalSteps,
            Math.max(engine.gmpStart().resolve(totalSteps), engine.gmpEnd().resolve(totalSteps)));
    TrainingFlops flops = new TrainingFlops(tensors);
    int layers = tensors.size();
    this.densities = new double[(int) totalSteps + 1][];
    this.cumulativeFlops = new double[(int) totalSteps + 1];
    double[] now = new double[layers];
    java.util.Arrays.fill(now, 1.0);
    double[] initial = method.referenceDensities(tensors, 0);
    if (engine.gmpInitialDensity() < 1.0) {
      now = initial.clone();
    }
    densities[0] = now.clone();
    for (int s = 1; s <= totalSteps; s++) {
      cumulativeFlops[s] =
          cumulativeFlops[s - 1] + flops.stepFlops(engine.batchSize(), densities[s - 1], false);
      if (method.updatesMasksAt(s)) {
        double[] next = method.referenceDensities(tensors, s);
        for (int i = 0; i < layers; i++) {
          // GMP only prunes: a layer never grows back toward a looser target.
          now[i] = Math.min(now[i], next[i]);
        }
      }
      densities[s] = now.clone();
    }
    this.finalInferenceFlops = flops.sparseForwardPerSample(densities[(int) totalSteps]);
  }

  /** Steps of the episode. */
  long totalSteps() {
    return totalSteps;
  }

  /** The step from which the reference holds its final (target) densities. */
  long endStep() {
    return endStep;
  }

  /** Whether the reference updates its masks after step {@code step}. */
  boolean updatesAt(long step) {
    return step >= 1 && step <= totalSteps && method.updatesMasksAt(step);
  }

  /** Per-layer densities in effect after step {@code step}'s update (a copy). */
  double[] densities(long step) {
    return densities[(int) clampStep(step)].clone();
  }

  /** The reference's training FLOPs of steps 1 to {@code step}. */
  double cumulativeFlops(long step) {
    return cumulativeFlops[(int) clampStep(step)];
  }

  /** The reference's training FLOPs of the whole episode. */
  double totalFlops() {
    return cumulativeFlops[(int) totalSteps];
  }

  /** Forward FLOPs per sample of the reference's final masks. */
  double finalInferenceFlops() {
    return finalInferenceFlops;
  }

  private long clampStep(long step) {
    return Math.max(0, Math.min(totalSteps, step));
  }
}
