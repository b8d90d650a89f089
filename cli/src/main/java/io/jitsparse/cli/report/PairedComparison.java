package io.jitsparse.cli.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The comparison a claim rests on: every method against the <em>strongest</em> handcrafted baseline
 * (the one with the highest mean test accuracy among those that end at the target density; {@code
 * dense} does not count), as the paired per-seed difference of test accuracy with a bootstrap
 * confidence interval over seeds. Paired, because methods of one seed share their initialisation,
 * data order and test set (Agarwal et al. 2021, "Deep RL at the Edge of the Statistical Precipice",
 * recommend interval estimates over few seeds; with three seeds the percentile bootstrap of the
 * mean difference is coarse, and the per-seed differences are reported beside it).
 */
public final class PairedComparison {

  /** Resamples of the bootstrap. */
  static final int RESAMPLES = 10_000;

  /** Two-sided coverage of the interval. */
  static final double COVERAGE = 0.95;

  /** A baseline ends at the target when its mean final density is this close to it (relative). */
  private static final double DENSITY_TOLERANCE = 0.02;

  /** Fixed, so the report's interval is reproducible. */
  private static final long BOOTSTRAP_SEED = 20221201L;

  /**
   * One method's paired difference to the strongest baseline.
   *
   * @param mean mean over shared seeds of (method - strongest) test accuracy
   * @param low lower end of the bootstrap interval
   * @param high upper end
   * @param perSeed the differences, by seed
   */
  public record Paired(double mean, double low, double high, Map<Long, Double> perSeed) {

    /** Whether every seed's difference is above zero. */
    public boolean everySeedAhead() {
      return !perSeed.isEmpty() && perSeed.values().stream().allMatch(d -> d > 0);
    }
  }

  private final MethodResult strongest;

  private PairedComparison(MethodResult strongest) {
    this.strongest = strongest;
  }

  /** The comparison of {@code data}'s methods. */
  public static PairedComparison of(ReportData data) {
    MethodResult best = null;
    for (MethodResult m : data.methods()) {
      if (m.isLearned() || m.method().equals("dense") || m.seeds().isEmpty()) {
        continue;
      }
      double density = m.meanGlobalDensity();
      if (Math.abs(density - data.targetDensity()) > DENSITY_TOLERANCE * data.targetDensity()) {
        continue;
      }
      if (best == null || m.meanTestAccuracy() > best.meanTestAccuracy()) {
        best = m;
      }
    }
    return new PairedComparison(best);
  }

  /** The strongest baseline, if any baseline ends at the target. */
  public Optional<MethodResult> strongest() {
    return Optional.ofNullable(strongest);
  }

  /** {@code m}'s paired difference to the strongest baseline; empty without one or shared seeds. */
  public Optional<Paired> of(MethodResult m) {
    if (strongest == null) {
      return Optional.empty();
    }
    Map<Long, Double> reference = new HashMap<>();
    for (SeedResult s : strongest.seeds()) {
      reference.put(s.seed(), s.testAccuracy());
    }
    Map<Long, Double> perSeed = new java.util.LinkedHashMap<>();
    List<Double> diffs = new ArrayList<>();
    for (SeedResult s : m.seeds()) {
      Double r = reference.get(s.seed());
      if (r != null) {
        perSeed.put(s.seed(), s.testAccuracy() - r);
        diffs.add(s.testAccuracy() - r);
      }
    }
    if (diffs.isEmpty()) {
      return Optional.empty();
    }
    double[] d = diffs.stream().mapToDouble(Double::doubleValue).toArray();
    double[] interval = bootstrap(d);
    return Optional.of(new Paired(MethodResult.mean(d), interval[0], interval[1], perSeed));
  }

  /** The percentile bootstrap interval of the mean of {@code d}. */
  static double[] bootstrap(double[] d) {
    SplittableRandom random = new SplittableRandom(BOOTSTRAP_SEED);
    double[] means = new double[RESAMPLES];
    for (int r = 0; r < RESAMPLES; r++) {
      double sum = 0;
      for (int i = 0; i < d.length; i++) {
        sum += d[random.nextInt(d.length)];
      }
      means[r] = sum / d.length;
    }
    java.util.Arrays.sort(means);
    double tail = (1 - COVERAGE) / 2;
    int lo = (int) Math.floor(tail * (RESAMPLES - 1));
    int hi = (int) Math.ceil((1 - tail) * (RESAMPLES - 1));
    return new double[] {means[lo], means[hi]};
  }
}
