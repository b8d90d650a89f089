package io.jitsparse.cli.report;

import java.util.List;

/**
 * One method's episode on one seed, as the comparison and the report show it.
 *
 * @param seed the episode's seed (initialisation, data order, masks)
 * @param testAccuracy accuracy on the test set at the end
 * @param globalDensity global density at the end
 * @param trainingFlops training FLOPs of the whole episode (the engine's count)
 * @param steps training steps done
 * @param decisionSteps steps at which the per-layer densities below were recorded
 * @param schedule per-layer densities at each of {@code decisionSteps} (outer: decision, inner:
 *     layer)
 */
public record SeedResult(
    long seed,
    double testAccuracy,
    double globalDensity,
    double trainingFlops,
    long steps,
    List<Long> decisionSteps,
    List<double[]> schedule) {}
