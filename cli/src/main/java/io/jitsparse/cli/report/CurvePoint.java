package io.jitsparse.cli.report;

/**
 * One finished learning episode: a point of the learning curve.
 *
 * @param episode the episode's number in the order the learner received them (0, 1, ...)
 * @param elapsedSeconds seconds since learning started
 * @param trainerId the trainer that ran it
 * @param episodeReturn the episode's return (sum of its rewards)
 * @param testAccuracy its test accuracy
 * @param globalDensity its final global density
 * @param trainingFlops its training FLOPs
 * @param policyVersion newest policy version whose actions it applied
 */
public record CurvePoint(
    long episode,
    double elapsedSeconds,
    String trainerId,
    double episodeReturn,
    double testAccuracy,
    double globalDensity,
    double trainingFlops,
    long policyVersion) {}
