package io.jitsparse.agent.policy;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;

/**
 * The discrete moves a policy chooses from, one per layer: multiplicative changes of a layer's
 * density between two decision boundaries, lowering and raising in three step sizes each plus
 * holding. Multiplicative steps make one move set fit every density range (a layer at 0.02 and one
 * at 0.8 both halve in one move), and the largest steps (halve, double) let a policy go from dense
 * to 5% in five decisions. The Q-network scores these indices; the handcrafted policy records the
 * move nearest to the change it asked for, so every transition carries actions in this space.
 */
public final class MoveSet {

  /** Density factors, ascending; index {@link #HOLD} keeps the density. */
  public static final List<Double> FACTORS =
      List.of(0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.4, 2.0);

  /** Index of the factor 1.0. */
  public static final int HOLD = FACTORS.indexOf(1.0);

  private MoveSet() {}

  /** Number of moves. */
  public static int size() {
    return FACTORS.size();
  }

  /**
   * The per-layer target densities of {@code moves} applied to {@code densities}, clamped to [0, 1]
   * (the trainer's action wall applies its own, tighter bounds).
   */
  public static double[] apply(double[] densities, int[] moves) {
    if (densities.length != moves.length) {
      throw new IllegalArgumentException(
          moves.length + " moves for " + densities.length + " layers");
    }
    double[] out = new double[densities.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(1.0, Math.max(0.0, densities[i] * FACTORS.get(moves[i])));
    }
    return out;
  }

  /** The per-layer densities {@code o} reports. */
  public static double[] densities(Observation o) {
    return o.getLayersList().stream().mapToDouble(LayerFeatures::getDensity).toArray();
  }

  /**
   * The {@link SparsityAction} answering {@code o} with per-layer {@code targets} and the {@code
   * moves} that led to them, chosen by policy {@code version}.
   */
  public static SparsityAction action(Observation o, int[] moves, double[] targets, long version) {
    SparsityAction.Builder a =
        SparsityAction.newBuilder()
            .setTrainerId(o.getTrainerId())
            .setEpisode(o.getEpisode())
            .setDecision(o.getDecision())
            .setPolicyVersion(version)
            .setObservationSentAtNanos(o.getSentAtNanos());
    for (int i = 0; i < targets.length; i++) {
      a.addLayerDensities(targets[i]).addMoves(moves[i]);
    }
    return a.build();
  }

  /**
   * The move whose factor is nearest (in log space, so halving and doubling are equally far) to
   * {@code target / current}.
   */
  public static int nearest(double current, double target) {
    if (current <= 0) {
      // Nothing to scale: a dead layer can only be kept or regrown as far as a move allows.
      return target > 0 ? FACTORS.size() - 1 : HOLD;
    }
    if (target <= 0) {
      return 0;
    }
    double want = Math.log(target / current);
    int best = HOLD;
    double bestDistance = Double.MAX_VALUE;
    for (int i = 0; i < FACTORS.size(); i++) {
      double d = Math.abs(Math.log(FACTORS.get(i)) - want);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }
}
