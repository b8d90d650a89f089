package io.jitsparse.env.train;

import io.jitsparse.env.density.DensityDistribution;
import io.jitsparse.env.density.DensityDistributions;
import io.jitsparse.env.growth.GrowCriteria;
import io.jitsparse.env.method.DenseMethod;
import io.jitsparse.env.method.DstMethod;
import io.jitsparse.env.method.DstThresholdsMethod;
import io.jitsparse.env.method.GmpMethod;
import io.jitsparse.env.method.RecordedSchedule;
import io.jitsparse.env.method.ReplayMethod;
import io.jitsparse.env.method.SparsityMethod;
import io.jitsparse.env.method.StaticMethod;
import io.jitsparse.env.pruning.PruneCriteria;
import io.jitsparse.env.schedule.DensitySchedules;
import io.jitsparse.env.schedule.PruneFractionDecay;
import io.jitsparse.env.sparse.DensityMover;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Builds the handcrafted sparsity method a {@link BaselineSettings} names. */
public final class BaselineMethods {

  private BaselineMethods() {}

  /**
   * The method and the density mover it drives (null for methods without one).
   *
   * @param method the sparsity method
   * @param mover the primitive it moves densities with, or {@code null}
   */
  public record Built(SparsityMethod method, DensityMover mover) {}

  /** Creates the method for a run of {@code totalSteps} steps. */
  public static Built create(BaselineSettings s, long totalSteps) {
    SplittableRandom rng = new SplittableRandom(s.seed());
    DensityDistribution distribution;
    try {
      distribution = DensityDistributions.byName(s.distribution(), s.erkPower());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("distribution: " + e.getMessage(), e);
    }
    long deltaT = Math.max(1, s.deltaT().resolve(totalSteps));
    switch (s.method()) {
      case "dense":
        return new Built(new DenseMethod(), null);
      case "static":
        return new Built(new StaticMethod(distribution, s.density(), rng), null);
      case "dst-thresholds":
        return new Built(new DstThresholdsMethod(s.alpha(), deltaT), null);
      default:
        break;
    }
    DensityMover mover = new DensityMover(prune(s), grow(s), rng);
    if (s.method().equals("gmp")) {
      long start = s.gmpStart().resolve(totalSteps);
      long end = Math.max(start, s.gmpEnd().resolve(totalSteps));
      var schedule =
          DensitySchedules.byName(
              s.schedule(), s.gmpInitialDensity(), s.density(), start, end, deltaT, s.gmpStages());
      return new Built(
          new GmpMethod(schedule, distribution, mover, start, end, deltaT, s.globalPruning()),
          mover);
    }
    if (s.method().equals("replay")) {
      return new Built(
          new ReplayMethod(
              RecordedSchedule.read(Path.of(s.scheduleFile())), mover, rng, totalSteps),
          mover);
    }
    long updateEnd = s.updateEnd().resolve(totalSteps);
    PruneFractionDecay decay =
        PruneFractionDecay.byName(
            s.pruneFractionDecay(), s.pruneFraction(), s.pruneFractionEnd(), updateEnd);
    return new Built(
        new DstMethod(distribution, s.density(), mover, decay, deltaT, updateEnd, rng), mover);
  }

  private static io.jitsparse.env.pruning.PruneCriterion prune(BaselineSettings s) {
    try {
      return PruneCriteria.byName(
          s.prune(), s.mestGamma(), io.jitsparse.env.pruning.SensitivityPruner.DEFAULT_EPSILON);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("prune: " + e.getMessage(), e);
    }
  }

  private static io.jitsparse.env.growth.GrowCriterion grow(BaselineSettings s) {
    try {
      return GrowCriteria.byName(s.grow());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grow: " + e.getMessage(), e);
    }
  }
}
