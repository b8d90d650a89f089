package io.jitsparse.agent.explorer;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.protocol.v1.Transition;

/**
 * The priority an explorer gives a new transition (Ape-X, Horgan et al. 2018, Sec. 3: actors
 * compute initial priorities from their local network, so fresh experience is not inserted at the
 * maximum priority): the mean over layers of {@code |R + d max_a Q(s'_l, a) - Q(s_l, a_l)|} under
 * the explorer's copy of the policy. Without a Q-network (policy version 0) it is {@code |R|}.
 */
final class InitialPriority {

  /** Added so that no transition starts with zero sampling priority. */
  static final double EPSILON = 1e-3;

  private InitialPriority() {}

  static double of(QFunction q, Transition t) {
    if (q == null) {
      return Math.abs(t.getReward()) + EPSILON;
    }
    float[][] now = q.q(FeatureEncoder.encode(t.getState()));
    float[][] next = q.q(FeatureEncoder.encode(t.getNextState()));
    double sum = 0;
    for (int l = 0; l < now.length; l++) {
      float best = next[l][QFunction.argmax(next[l])];
      double target = t.getReward() + t.getDiscount() * best;
      sum += Math.abs(target - now[l][t.getMoves(l)]);
    }
    return sum / Math.max(1, now.length) + EPSILON;
  }
}
