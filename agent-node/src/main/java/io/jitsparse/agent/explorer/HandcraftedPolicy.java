package io.jitsparse.agent.explorer;

import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import java.util.Locale;

/**
 * Policy version 0: a fixed density schedule, used until the learner publishes a Q-network. The
 * global density follows the schedule from the episode's start density (the first observation the
 * explorer saw of the episode) to the observation's {@code target_density} over {@code
 * total_steps}; each layer keeps its share of the start distribution (its start density scaled by
 * global(step) / global(start)), so an ERK start stays ERK-shaped while the whole network reaches
 * the target. Densities are evaluated at the trainer's next decision boundary, where the action
 * will be applied. Not thread-safe: one per explorer.
 */
public final class HandcraftedPolicy {

  /** Shape of the path from start to target, as a fraction of the way covered at time t. */
  public enum Schedule {
    /** Zhu and Gupta 2017 (AGP): fast early pruning, slow near the target. */
    CUBIC,
    /** Constant rate. */
    LINEAR,
    /** Keep the start densities (a do-nothing baseline). */
    HOLD;

    /** Fraction of the way from start to target covered at {@code t} in [0, 1]. */
    public double progress(double t) {
      double x = Math.min(1, Math.max(0, t));
      return switch (this) {
        case CUBIC -> 1 - (1 - x) * (1 - x) * (1 - x);
        case LINEAR -> x;
        case HOLD -> 0;
      };
    }

    /** Looks a schedule up by its config name (cubic, linear, hold). */
    public static Schedule byName(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  private final Schedule schedule;
  private final long decisionInterval;
  private long episode = -1;
  private double startGlobal;
  private double[] startLayers = new double[0];

  /**
   * @param schedule the curve
   * @param decisionInterval the trainer's steps between decisions (the action lands one later)
   */
  public HandcraftedPolicy(Schedule schedule, long decisionInterval) {
    this.schedule = schedule;
    this.decisionInterval = decisionInterval;
  }

  /** Global density at {@code step}: start + (target - start) * progress(step / totalSteps). */
  public static double density(
      Schedule schedule, double start, double target, long step, long totalSteps) {
    double t = totalSteps <= 0 ? 1 : (double) step / totalSteps;
    return start + (target - start) * schedule.progress(t);
  }

  /** Per-layer target densities for the boundary after {@code o}. */
  public double[] layerDensities(Observation o) {
    if (o.getEpisode() != episode || startLayers.length != o.getLayersCount()) {
      // First observation of an episode (or the explorer started mid-episode): its densities are
      // the start of the path.
      episode = o.getEpisode();
      startGlobal = o.getGlobalDensity();
      startLayers = o.getLayersList().stream().mapToDouble(LayerFeatures::getDensity).toArray();
    }
    long next = Math.min(o.getTotalSteps(), o.getStep() + decisionInterval);
    double global = density(schedule, startGlobal, o.getTargetDensity(), next, o.getTotalSteps());
    double[] out = new double[startLayers.length];
    for (int i = 0; i < out.length; i++) {
      double d = startGlobal > 0 ? startLayers[i] * global / startGlobal : global;
      out[i] = Math.min(1, Math.max(0, d));
    }
    return out;
  }

  /** The move per layer nearest to going from the observed densities to {@code targets}. */
  public static int[] moves(Observation o, double[] targets) {
    int[] moves = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      moves[i] = MoveSet.nearest(o.getLayers(i).getDensity(), targets[i]);
    }
    return moves;
  }
}
