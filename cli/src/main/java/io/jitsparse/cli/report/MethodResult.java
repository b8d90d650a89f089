package io.jitsparse.cli.report;

import java.util.List;
import java.util.Optional;

/**
 * One method of a comparison ({@code learned}, {@code gmp-cubic}, {@code dst-cosine}, {@code
 * static-erk}, ...) over its seeds.
 *
 * @param method the method's name in comparison.json
 * @param description how the method was run (one line, for the report)
 * @param seeds one result per seed, in seed order
 */
public record MethodResult(String method, String description, List<SeedResult> seeds) {

  /** Name of the method whose schedule the agent learned. */
  public static final String LEARNED = "learned";

  /** Whether this is the learned method (the others are baselines). */
  public boolean isLearned() {
    return LEARNED.equals(method);
  }

  /** The seed numbers, in seed order. */
  public List<Long> seedNumbers() {
    return seeds.stream().map(SeedResult::seed).toList();
  }

  /** The first seed's result, whose schedule the report draws; empty without seeds. */
  public Optional<SeedResult> firstSeed() {
    return seeds.isEmpty() ? Optional.empty() : Optional.of(seeds.get(0));
  }

  /** Training steps of the longest seed (seeds normally agree; 0 without seeds). */
  public long steps() {
    return seeds.stream().mapToLong(SeedResult::steps).max().orElse(0);
  }

  /** Mean test accuracy over the seeds. */
  public double meanTestAccuracy() {
    return mean(seeds.stream().mapToDouble(SeedResult::testAccuracy).toArray());
  }

  /** Sample standard deviation of the test accuracy (0 for one seed). */
  public double stdTestAccuracy() {
    return std(seeds.stream().mapToDouble(SeedResult::testAccuracy).toArray());
  }

  /** Mean final global density. */
  public double meanGlobalDensity() {
    return mean(seeds.stream().mapToDouble(SeedResult::globalDensity).toArray());
  }

  /** Mean training FLOPs. */
  public double meanTrainingFlops() {
    return mean(seeds.stream().mapToDouble(SeedResult::trainingFlops).toArray());
  }

  /** Sample standard deviation of the final global density. */
  public double stdGlobalDensity() {
    return std(seeds.stream().mapToDouble(SeedResult::globalDensity).toArray());
  }

  /** Sample standard deviation of the training FLOPs. */
  public double stdTrainingFlops() {
    return std(seeds.stream().mapToDouble(SeedResult::trainingFlops).toArray());
  }

  /** Mean forward FLOPs per sample of the final masks. */
  public double meanInferenceFlops() {
    return mean(seeds.stream().mapToDouble(SeedResult::inferenceFlops).toArray());
  }

  /** Mean over seeds of training FLOPs relative to the budget reference's. */
  public double meanTrainingFlopsVsReference() {
    return mean(seeds.stream().mapToDouble(SeedResult::trainingFlopsVsReference).toArray());
  }

  /** Mean over seeds of inference FLOPs relative to the budget reference's. */
  public double meanInferenceFlopsVsReference() {
    return mean(seeds.stream().mapToDouble(SeedResult::inferenceFlopsVsReference).toArray());
  }

  /** Mean training samples per second of the episodes' wall-clock time. */
  public double meanSamplesPerSecond() {
    return mean(seeds.stream().mapToDouble(SeedResult::samplesPerSecond).toArray());
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }

  static double std(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}
