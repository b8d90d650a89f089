package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link DoubleDqn} against values worked out by hand: two transitions, one of 2 layer rows and one
 * of 3, the second ended within its n steps (discount 0). The next-state Q-values are chosen so
 * that the online network's argmax differs from the target network's, so plain max-Q targets would
 * differ from double-DQN targets, and one row has a tie (the first index wins).
 */
class DoubleDqnTest {

  private static final float TOLERANCE = 1e-6f;

  /** Rows 0-1 belong to transition 0, rows 2-4 to transition 1. */
  private static final int[] OWNER = {0, 0, 1, 1, 1};

  private static final int[] LAYERS = {2, 3};
  private static final float[] REWARDS = {1.0f, -0.5f};
  private static final float[] DISCOUNTS = {0.9f, 0f};

  private static final float[][] ONLINE_NEXT = {
    {1, 5, 2}, // argmax 1
    {4, 4, 0}, // tie of 0 and 1: argmax 0
    {0, 9, 0},
    {3, 3, 1},
    {-1, -2, 6},
  };

  private static final float[][] TARGET_NEXT = {
    {10, 3, 20}, // target's own max is 20 (index 2); double DQN reads index 1: 3
    {2, 8, 1}, // index 0: 2 (the max, 8, is what plain DQN would take)
    {100, 1, 5}, // a done transition bootstraps nothing, however large
    {7, -2, 0},
    {0, 0, 50},
  };

  @Test
  void targetsBootstrapTheTargetNetworkAtTheOnlineArgmax() {
    float[] y = DoubleDqn.targets(ONLINE_NEXT, TARGET_NEXT, REWARDS, DISCOUNTS, OWNER);
    // row 0: 1 + 0.9 * Q_target[1] = 1 + 0.9 * 3; row 1: 1 + 0.9 * Q_target[0] = 1 + 0.9 * 2
    // rows 2-4: the episode ended, y = R = -0.5
    assertArrayEquals(new float[] {3.7f, 2.8f, -0.5f, -0.5f, -0.5f}, y, TOLERANCE);
    // plain DQN would bootstrap max Q_target: 1 + 0.9 * 20 = 19 and 1 + 0.9 * 8 = 8.2
    assertNotEquals(REWARDS[0] + DISCOUNTS[0] * max(TARGET_NEXT[0]), y[0], 1f);
    assertNotEquals(REWARDS[0] + DISCOUNTS[0] * max(TARGET_NEXT[1]), y[1], 1f);
  }

  private static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  @Test
  void rowWeightsShareEachTransitionsImportanceAmongItsRows() {
    double[] importance = {1.0, 0.5};
    float[] w = DoubleDqn.rowWeights(importance, LAYERS, OWNER);
    // rows per transition on average: 5 / 2 = 2.5
    // transition 0: 1.0 * 2.5 / 2 = 1.25 per row; transition 1: 0.5 * 2.5 / 3 = 0.41666...
    float w1 = (float) (0.5 * 2.5 / 3);
    assertArrayEquals(new float[] {1.25f, 1.25f, w1, w1, w1}, w, TOLERANCE);
    // each transition's rows together weigh in proportion to its importance, whatever its depth
    // (transition 0: 2.5 in all, transition 1: 1.25, as 1.0 to 0.5)
    assertEquals(w[0] + w[1], 2 * (w[2] + w[3] + w[4]), 6 * TOLERANCE);
    // and the mean row weight is the mean importance (the loss keeps its scale)
    double mean = 0;
    for (float v : w) {
      mean += v;
    }
    assertEquals((importance[0] + importance[1]) / 2, mean / w.length, TOLERANCE);
  }

  @Test
  void prioritiesAreTheMeanAbsoluteTdErrorOfEachTransitionsRows() {
    float[] y = {3.7f, 2.8f, -0.5f, -0.5f, -0.5f};
    float[] chosenQ = {3.0f, 3.8f, 0.5f, -1.0f, -0.5f};
    double[] p = DoubleDqn.priorities(y, chosenQ, OWNER, LAYERS);
    // transition 0: (|3.7 - 3.0| + |2.8 - 3.8|) / 2 = (0.7 + 1.0) / 2 = 0.85
    // transition 1: (|-0.5 - 0.5| + |-0.5 + 1.0| + 0) / 3 = 1.5 / 3 = 0.5
    assertArrayEquals(new double[] {0.85, 0.5}, p, TOLERANCE);
  }
}
