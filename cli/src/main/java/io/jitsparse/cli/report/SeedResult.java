package io.jitsparse.cli.report;

import java.util.List;

/**
 * One method's episode on one seed, as the comparison and the report show it.
 *
 * @param seed the episode's seed (initialisation, data order, masks)
 * @param testAccuracy accuracy on the test set at the end
 * @param globalDensity global density at the end
 * @param trainingFlops training FLOPs of the whole episode (the engine's count; a learned
 *     schedule's validation passes included)
 * @param steps training steps done
 * @param decisionSteps steps at which the per-layer densities below were recorded
 * @param schedule per-layer densities at each of {@code decisionSteps} (outer: decision, inner:
 *     layer)
 * @param inferenceFlops forward FLOPs per sample of the final masks (0 when unknown)
 * @param referenceTrainingFlops the budget reference's training FLOPs for the same episode (0 when
 *     unknown)
 * @param referenceInferenceFlops the budget reference's final forward FLOPs per sample (0 when
 *     unknown)
 * @param samplesPerSecond training samples per second of the episode's wall-clock time (0 when
 *     unknown)
 */
public record SeedResult(
    long seed,
    double testAccuracy,
    double globalDensity,
    double trainingFlops,
    long steps,
    List<Long> decisionSteps,
    List<double[]> schedule,
    double inferenceFlops,
    double referenceTrainingFlops,
    double referenceInferenceFlops,
    double samplesPerSecond) {

  /** A result without inference, reference or speed figures. */
  public SeedResult(
      long seed,
      double testAccuracy,
      double globalDensity,
      double trainingFlops,
      long steps,
      List<Long> decisionSteps,
      List<double[]> schedule) {
    this(
        seed,
        testAccuracy,
        globalDensity,
        trainingFlops,
        steps,
        decisionSteps,
        schedule,
        0,
        0,
        0,
        0);
  }

  /** Training FLOPs over the reference's; NaN when the reference is unknown. */
  public double trainingFlopsVsReference() {
    return referenceTrainingFlops > 0 ? trainingFlops / referenceTrainingFlops : Double.NaN;
  }

  /** Inference FLOPs over the reference's; NaN when unknown. */
  public double inferenceFlopsVsReference() {
    return referenceInferenceFlops > 0 && inferenceFlops > 0
        ? inferenceFlops / referenceInferenceFlops
        : Double.NaN;
  }
}
