package io.jitsparse.agent.policy;

import java.util.random.RandomGenerator;

/**
 * Per-layer epsilon-greedy action selection over the factored action: each layer independently
 * takes a uniformly random move with probability {@code epsilon} and its greedy move otherwise, so
 * exploration perturbs a few layers of a schedule rather than replacing the whole schedule at once.
 */
public final class EpsilonGreedy {

  private EpsilonGreedy() {}

  /**
   * One decision: a move per layer, and how many layers took a random move.
   *
   * @param moves the move of every layer
   * @param explored layers whose move was drawn at random (the rest are greedy)
   */
  public record Choice(int[] moves, int explored) {}

  /** The moves of every layer of {@code state}, with the count of random ones. */
  public static Choice choose(QFunction q, float[] state, double epsilon, RandomGenerator random) {
    float[][] values = q.q(state);
    int[] moves = new int[values.length];
    int explored = 0;
    for (int l = 0; l < values.length; l++) {
      if (random.nextDouble() < epsilon) {
        moves[l] = random.nextInt(values[l].length);
        explored++;
      } else {
        moves[l] = QFunction.argmax(values[l]);
      }
    }
    return new Choice(moves, explored);
  }
}
