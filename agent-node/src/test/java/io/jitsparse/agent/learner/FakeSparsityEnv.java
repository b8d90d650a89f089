package io.jitsparse.agent.learner;

import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.Observation;
import java.util.HashMap;
import java.util.Map;

/**
 * A sparsity environment without DL4J whose best schedule is known (in the spirit of Acme's {@code
 * fakes}): three layers start dense and each interval costs compute in proportion to each layer's
 * density and parameter share, while a layer kept below its sensitivity for the interval costs
 * accuracy. The first layer is sensitive (0.6) in the first half of the episode only, the last one
 * (0.3) throughout, the middle one never, so the best schedule prunes the middle layer at once, the
 * first layer after halfway, and keeps the last one near 0.3: when to prune differs per layer.
 *
 * <p>The rewards are separable by layer, so {@link #bestReturn()} finds the optimum exactly by
 * dynamic programming over each layer's reachable densities.
 */
final class FakeSparsityEnv {

  static final int DECISIONS = 8;
  static final int STEPS_PER_DECISION = 10;
  static final double TARGET = 0.1;
  static final double MIN_DENSITY = 0.01;
  private static final long[] PARAMS = {2_000, 40_000, 8_000};
  private static final double COMPUTE_COST = 0.3;
  private static final double ACCURACY_COST = 1.0;
  private static final long TOTAL = PARAMS[0] + PARAMS[1] + PARAMS[2];

  private final double[] densities = new double[PARAMS.length];
  private final double[] applied = new double[PARAMS.length];
  private int decision;
  private long episode = -1;
  private double lastReward;

  /** Starts an episode; returns its first observation. */
  Observation reset() {
    episode++;
    decision = 0;
    lastReward = 0;
    java.util.Arrays.fill(densities, 1.0);
    java.util.Arrays.fill(applied, 0.0);
    return observation();
  }

  /** Applies the moves chosen for the last observation; returns the next observation. */
  Observation step(int[] moves) {
    double progress = (double) decision / DECISIONS;
    double reward = 0;
    for (int l = 0; l < densities.length; l++) {
      double before = densities[l];
      densities[l] = next(densities[l], moves[l]);
      // reported as the offset applied, as the real trainer's wall does: a clamped move shows
      applied[l] = Math.log(densities[l] / before);
      reward += layerReward(l, progress, densities[l]);
    }
    decision++;
    lastReward = reward;
    return observation();
  }

  static double next(double density, int move) {
    return Math.max(MIN_DENSITY, Math.min(1.0, density * MoveSet.FACTORS.get(move)));
  }

  static double layerReward(int layer, double progress, double density) {
    double share = (double) PARAMS[layer] / TOTAL;
    double sensitivity =
        switch (layer) {
          case 0 -> progress < 0.5 ? 0.6 : 0;
          case 2 -> 0.3;
          default -> 0;
        };
    return -COMPUTE_COST * share * density - ACCURACY_COST * Math.max(0, sensitivity - density);
  }

  /** The highest achievable return (sum of rewards), by dynamic programming per layer. */
  static double bestReturn() {
    double total = 0;
    for (int l = 0; l < PARAMS.length; l++) {
      total += best(l, 0, 1.0, new HashMap<>());
    }
    return total;
  }

  private static double best(int layer, int k, double density, Map<String, Double> memo) {
    if (k == DECISIONS) {
      return 0;
    }
    String key = k + ":" + Math.round(density * 1e9);
    Double known = memo.get(key);
    if (known != null) {
      return known;
    }
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int m = 0; m < MoveSet.size(); m++) {
      double d = next(density, m);
      double v = layerReward(layer, (double) k / DECISIONS, d) + best(layer, k + 1, d, memo);
      bestValue = Math.max(bestValue, v);
    }
    memo.put(key, bestValue);
    return bestValue;
  }

  boolean done() {
    return decision >= DECISIONS;
  }

  private Observation observation() {
    double active = 0;
    for (int l = 0; l < densities.length; l++) {
      active += densities[l] * PARAMS[l];
    }
    Observation.Builder o =
        Observation.newBuilder()
            .setTrainerId("fake-0")
            .setEpisode(episode)
            .setDecision(decision)
            .setStep((long) decision * STEPS_PER_DECISION)
            .setTotalSteps((long) DECISIONS * STEPS_PER_DECISION)
            .setSmoothedLoss(1.0)
            .setValidationAccuracy(0.5)
            .setLearningRate(0.01)
            .setGlobalDensity(active / TOTAL)
            .setTargetDensity(TARGET)
            .setReward(lastReward)
            .setDone(done());
    for (int l = 0; l < densities.length; l++) {
      o.addLayers(
          LayerFeatures.newBuilder()
              .setIndex(l)
              .setKind(LayerKind.LAYER_KIND_DENSE)
              .setFanIn(PARAMS[l] / 100)
              .setFanOut(100)
              .setParameterCount(PARAMS[l])
              .setRelativeDepth(l / (PARAMS.length - 1.0))
              .setDensity(densities[l])
              .setLogOffset(applied[l])
              .setWeightMagnitudeMean(0.05)
              .setWeightMagnitudeStd(0.03)
              .setGradientNorm(0.1));
    }
    return o.build();
  }
}
