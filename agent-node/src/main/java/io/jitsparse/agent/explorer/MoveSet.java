package io.jitsparse.agent.explorer;

import java.util.List;

/**
 * The discrete moves an explorer chooses from, one per layer: multiplicative changes of a layer's
 * density between two decision boundaries. A Q-network (the learner issue) scores these indices;
 * until then the handcrafted policy records the move nearest to the density change it asked for, so
 * every transition already carries actions in the learner's action space.
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
