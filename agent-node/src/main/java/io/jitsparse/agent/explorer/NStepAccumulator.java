package io.jitsparse.agent.explorer;

import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.Transition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds n-step transitions (Ape-X, Horgan et al. 2018, Sec. 3) from one trainer's stream of
 * observations. The observation at decision k carries the reward of the interval that ended there,
 * i.e. the reward of the action chosen at decision k - 1. A transition from decision t therefore
 * completes n observations later with reward r_{t+1} + gamma r_{t+2} + ... + gamma^{n-1} r_{t+n},
 * discount gamma^n and next state s_{t+n}; when the episode ends first, the remaining transitions
 * are flushed with the rewards collected so far, discount 0 and {@code done}.
 *
 * <p>The action of a transition is the one the trainer applied: when the next observation of the
 * same episode arrives, its reported log-offsets replace the moves the explorer asked for (the
 * budget wall lowers offsets that would overspend). A decision whose next observation was lost
 * keeps the requested moves.
 *
 * <p>An observation of a new episode while transitions are open means the previous episode was
 * aborted without a final observation: those transitions have no bootstrap state and are discarded
 * (counted). A decision the trainer dropped from its window leaves a gap whose reward is lost; the
 * sums then cover fewer intervals, which is acceptable noise for a replay-based learner. Not
 * thread-safe: one per explorer.
 */
public final class NStepAccumulator {

  /** What the explorer answered to an observation: the action of the transition it starts. */
  public record Decision(int[] moves, double[] targetDensities, long policyVersion) {}

  private static final class Open {
    final Observation state;
    Decision decision;
    double reward;
    int rewards;

    Open(Observation state, Decision decision) {
      this.state = state;
      this.decision = decision;
    }
  }

  /** Added to |reward| so that no transition starts with zero sampling priority. */
  public static final double PRIORITY_EPSILON = 1e-3;

  private final int n;
  private final double gamma;
  private final ArrayDeque<Open> open = new ArrayDeque<>();
  private long episode = -1;
  private long discarded;

  /**
   * @param n steps of the return, at least 1
   * @param gamma discount factor in [0, 1]
   */
  public NStepAccumulator(int n, double gamma) {
    if (n < 1 || !(gamma >= 0 && gamma <= 1)) {
      throw new IllegalArgumentException("n-step " + n + " or gamma " + gamma + " out of range");
    }
    this.n = n;
    this.gamma = gamma;
  }

  /**
   * Records observation {@code o} and the explorer's answer to it ({@code null} when {@code o} is
   * final); returns the transitions this completes, oldest first.
   */
  public List<Transition> observe(Observation o, Decision decision) {
    if (o.getEpisode() != episode) {
      discarded += open.size();
      open.clear();
      episode = o.getEpisode();
    }
    Open newest = open.peekLast();
    if (newest != null && newest.state.getDecision() == o.getDecision() - 1) {
      // The trainer's budget wall may have lowered the offsets asked for: the transition records
      // the moves it applied, which this observation reports, not the ones the explorer chose.
      newest.decision =
          new Decision(MoveSet.applied(o), MoveSet.densities(o), newest.decision.policyVersion());
    }
    List<Transition> done = new ArrayList<>();
    for (Open t : open) {
      t.reward += Math.pow(gamma, t.rewards) * o.getReward();
      t.rewards++;
    }
    if (o.getDone()) {
      for (Open t : open) {
        done.add(transition(t, o, 0, true));
      }
      open.clear();
    } else {
      while (!open.isEmpty() && open.peekFirst().rewards >= n) {
        Open t = open.pollFirst();
        done.add(transition(t, o, Math.pow(gamma, t.rewards), false));
      }
      if (decision != null) {
        open.addLast(new Open(o, decision));
      }
    }
    return done;
  }

  /** Transitions discarded because their episode ended without a final observation. */
  public long discarded() {
    return discarded;
  }

  /** Transitions still waiting for rewards. */
  public int openCount() {
    return open.size();
  }

  private Transition transition(Open t, Observation next, double discount, boolean done) {
    Transition.Builder b =
        Transition.newBuilder()
            .setState(t.state)
            .setReward(t.reward)
            .setDiscount(discount)
            .setNextState(next)
            .setDone(done)
            // Until the learner's Q-network gives TD errors, |return| ranks surprising outcomes.
            .setInitialPriority(Math.abs(t.reward) + PRIORITY_EPSILON)
            .setPolicyVersion(t.decision.policyVersion())
            .setNStep(t.rewards);
    for (int m : t.decision.moves()) {
      b.addMoves(m);
    }
    for (double d : t.decision.targetDensities()) {
      b.addTargetDensities(d);
    }
    return b.build();
  }
}
