package io.jitsparse.agent.learner;

import io.jitsparse.agent.policy.QFunction;

/**
 * The targets and priorities of double DQN (van Hasselt et al. 2016) with n-step returns (Ape-X,
 * Horgan et al. 2018, eq. 1 and 2) for factored per-layer actions: every layer row {@code r} of
 * transition {@code i} gets its own target
 *
 * <pre>y_r = R_i + d_i * Q_target(s'_r, argmax_a Q_online(s'_r, a))</pre>
 *
 * where {@code R_i} is the n-step discounted reward {@code sum_k gamma^k r_(t+k+1)} and {@code d_i
 * = gamma^n} (0 when the episode ended within the n steps), as the explorer's n-step accumulator
 * stored them. The reward is shared by the layers, the bootstrap is per layer (branching dueling
 * Q-networks, Tavakoli et al. 2018, use the same per-branch target). A transition's new priority is
 * the mean over its rows of {@code |y_r - Q_online(s_r, a_r)|}.
 */
final class DoubleDqn {

  private DoubleDqn() {}

  /**
   * @param onlineNext Q_online of each row's next state, {@code [rows][moves]}
   * @param targetNext Q_target of each row's next state
   * @param rewards n-step reward per transition
   * @param discounts bootstrap discount per transition
   * @param owner the transition of each row
   */
  static float[] targets(
      float[][] onlineNext, float[][] targetNext, float[] rewards, float[] discounts, int[] owner) {
    float[] y = new float[owner.length];
    for (int r = 0; r < owner.length; r++) {
      int i = owner[r];
      int best = QFunction.argmax(onlineNext[r]);
      y[r] = rewards[i] + discounts[i] * targetNext[r][best];
    }
    return y;
  }

  /**
   * Loss weight of each row: the transition's importance weight shared among its rows, scaled so
   * the weights average the transitions' mean weight. Without the sharing, a 21-layer ResNet
   * transition would count five times a 4-layer LeNet one.
   */
  static float[] rowWeights(double[] importance, int[] layers, int[] owner) {
    float[] w = new float[owner.length];
    double rowsPerTransition = (double) owner.length / layers.length;
    for (int r = 0; r < owner.length; r++) {
      int i = owner[r];
      w[r] = (float) (importance[i] * rowsPerTransition / layers[i]);
    }
    return w;
  }

  /** Mean |y_r - q_r| over each transition's rows. */
  static double[] priorities(float[] targets, float[] chosenQ, int[] owner, int[] layers) {
    double[] p = new double[layers.length];
    for (int r = 0; r < owner.length; r++) {
      p[owner[r]] += Math.abs(targets[r] - chosenQ[r]);
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= Math.max(1, layers[i]);
    }
    return p;
  }
}
