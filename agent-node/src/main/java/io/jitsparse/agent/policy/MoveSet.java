package io.jitsparse.agent.policy;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;

/**
 * The discrete moves a policy chooses from, one per layer: a layer's density for the coming
 * interval as a multiple of the reference schedule's ({@code D_i = ref_i * factor}, a log-offset
 * {@code ln factor}), from halving to doubling. Offsets around a reference rather than steps from
 * the current density make an action mean the same at any episode length and depth: the zero offset
 * ({@link #HOLD}) is the handcrafted schedule, so a policy that has learned nothing, or meets a
 * network it has not seen, degrades to the reference and never to chance; and a step is a share of
 * the reference, so one set fits every density range. The trainer's budget wall may lower the
 * offsets; the ones it applied come back in the next observation ({@link #applied}), and those are
 * what the replay stores. The Q-network scores these indices.
 */
public final class MoveSet {

  /** Density factors relative to the reference, ascending; index {@link #HOLD} is the reference. */
  public static final List<Double> FACTORS =
      List.of(0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.4, 2.0);

  /** Index of the factor 1.0: the reference schedule itself. */
  public static final int HOLD = FACTORS.indexOf(1.0);

  private MoveSet() {}

  /** Number of moves. */
  public static int size() {
    return FACTORS.size();
  }

  /** The log-offset of each move. */
  public static double[] offsets(int[] moves) {
    double[] out = new double[moves.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.log(FACTORS.get(moves[i]));
    }
    return out;
  }

  /**
   * The per-layer densities {@code moves} ask for at {@code o}'s next decision: the reference's
   * densities there times each move's factor, clamped to [0, 1] (the trainer's wall applies its
   * own, tighter bounds).
   */
  public static double[] targets(Observation o, int[] moves) {
    if (o.getLayersCount() != moves.length) {
      throw new IllegalArgumentException(
          moves.length + " moves for " + o.getLayersCount() + " layers");
    }
    double[] out = new double[moves.length];
    for (int i = 0; i < out.length; i++) {
      double ref = o.getLayers(i).getReferenceDensity();
      out[i] = Math.min(1.0, Math.max(0.0, ref * FACTORS.get(moves[i])));
    }
    return out;
  }

  /** The per-layer densities {@code o} reports. */
  public static double[] densities(Observation o) {
    return o.getLayersList().stream().mapToDouble(LayerFeatures::getDensity).toArray();
  }

  /** The reference at every layer: the moves of policy version 0. */
  public static int[] reference(int layers) {
    int[] moves = new int[layers];
    java.util.Arrays.fill(moves, HOLD);
    return moves;
  }

  /**
   * The {@link SparsityAction} answering {@code o} with {@code moves} (their log-offsets and the
   * densities they ask for), chosen by policy {@code version}.
   */
  public static SparsityAction action(Observation o, int[] moves, long version) {
    SparsityAction.Builder a =
        SparsityAction.newBuilder()
            .setTrainerId(o.getTrainerId())
            .setEpisode(o.getEpisode())
            .setDecision(o.getDecision())
            .setPolicyVersion(version)
            .setObservationSentAtNanos(o.getSentAtNanos());
    double[] targets = targets(o, moves);
    double[] offsets = offsets(moves);
    for (int i = 0; i < moves.length; i++) {
      a.addLayerDensities(targets[i]).addMoves(moves[i]).addLayerLogOffsets(offsets[i]);
    }
    return a.build();
  }

  /**
   * The moves the trainer's wall applied at decision {@code o}: per layer the move whose log-offset
   * is nearest to the observation's applied {@code log_offset}.
   */
  public static int[] applied(Observation o) {
    int[] moves = new int[o.getLayersCount()];
    for (int i = 0; i < moves.length; i++) {
      moves[i] = nearest(o.getLayers(i).getLogOffset());
    }
    return moves;
  }

  /** The move whose log-offset is nearest to {@code logOffset}. */
  public static int nearest(double logOffset) {
    int best = HOLD;
    double bestDistance = Double.MAX_VALUE;
    for (int i = 0; i < FACTORS.size(); i++) {
      double d = Math.abs(Math.log(FACTORS.get(i)) - logOffset);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }
}
