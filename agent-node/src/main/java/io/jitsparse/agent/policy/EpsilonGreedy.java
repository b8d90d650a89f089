package io.jitsparse.agent.policy;

import java.util.random.RandomGenerator;

/**
 * Per-layer epsilon-greedy action selection over the factored action: each layer independently
 * takes a uniformly random move with probability {@code epsilon} and its greedy move otherwise, so
 * exploration perturbs a few layers of a schedule rather than replacing the whole schedule at once.
 */
public final class EpsilonGreedy {

  private EpsilonGreedy() {}

  /** The moves of every layer of {@code state}. */
  public static int[] moves(QFunction q, float[] state, double epsilon, RandomGenerator random) {
    float[][] values = q.q(state);
    int[] moves = new int[values.length];
    for (int l = 0; l < values.length; l++) {
      moves[l] =
          random.nextDouble() < epsilon
              ? random.nextInt(values[l].length)
              : QFunction.argmax(values[l]);
    }
    return moves;
  }
}
