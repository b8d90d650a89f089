package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.explorer.NStepAccumulator;
import io.jitsparse.agent.policy.EpsilonGreedy;
import io.jitsparse.agent.policy.EpsilonSpread;
import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.agent.replay.CompactReplay;
import io.jitsparse.agent.replay.PrioritizedSlots;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Learning works: the whole learning path (feature encoding, epsilon-greedy explorers with Ape-X's
 * spread, n-step transitions, prioritised replay, double DQN) trained on {@link FakeSparsityEnv},
 * whose best return is known, brings the greedy policy near the best return and above the untrained
 * policy, on each of three seeds.
 */
class LearningOnFakeEnvTest {

  private static final int EPISODES = 200;
  private static final int EXPLORERS = 2;
  private static final int POPULATION = 8;
  private static final int BATCH = 32;
  private static final int UPDATES_PER_DECISION = 4;
  private static final int MIN_REPLAY = 64;
  private static final int PUBLISH_EVERY = 25;

  @Test
  void greedyPolicyApproachesTheBestReturnOnEverySeed() {
    double best = FakeSparsityEnv.bestReturn();
    List<String> report = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      double[] result = learn(seed);
      double untrained = result[0];
      double learned = result[1];
      report.add(
          String.format(
              "seed %d: untrained %.3f, learned %.3f, best %.3f", seed, untrained, learned, best));
      // near the best: at least 70% of the way from the untrained policy to the optimum. The
      // transitions record the move the environment applied (the nearest in the move set), as the
      // real trainer's budget wall reports it, which loses a little where a clamp at the density
      // bounds lands between two moves: 75-81% of the way on these seeds, 80-88% before.
      assertTrue(learned - untrained >= 0.7 * (best - untrained), String.join("\n", report));
    }
    System.out.println(String.join("\n", report));
  }

  /** Returns {untrained greedy return, learned greedy return}. */
  private static double[] learn(long seed) {
    QLearner.Config config = new QLearner.Config(new int[] {64, 64}, 1e-3, 1.0, 100, seed);
    Random random = new Random(seed);
    CompactReplay replay = new CompactReplay(20_000, 20_000 * 100, 0.6, 1e-3);
    try (QLearner learner = new QLearner(config)) {
      QFunction acting = learner.policy();
      double untrained = greedyReturn(acting);
      for (int e = 0; e < EPISODES; e++) {
        double epsilon = EpsilonSpread.epsilon(e % EXPLORERS, POPULATION, 0.4, 7);
        NStepAccumulator nStep = new NStepAccumulator(3, 0.99);
        FakeSparsityEnv env = new FakeSparsityEnv();
        Observation o = env.reset();
        // fresh env each episode: keep episode numbers distinct for the accumulator
        o = o.toBuilder().setEpisode(e).build();
        while (true) {
          int[] moves =
              o.getDone()
                  ? null
                  : EpsilonGreedy.choose(acting, FeatureEncoder.encode(o), epsilon, random).moves();
          NStepAccumulator.Decision d =
              moves == null ? null : new NStepAccumulator.Decision(moves, new double[0], 0);
          for (Transition t : nStep.observe(o, d)) {
            replay.insert(t);
          }
          if (o.getDone()) {
            break;
          }
          if (replay.size() >= MIN_REPLAY) {
            for (int u = 0; u < UPDATES_PER_DECISION; u++) {
              var batch =
                  replay.sample(
                      BATCH, PrioritizedSlots.beta(0.4, learner.updates(), 5_000), random);
              QLearner.Update up = learner.update(batch);
              replay.updatePriorities(batch.slots(), batch.ids(), up.priorities());
              if (learner.updates() % PUBLISH_EVERY == 0) {
                acting = learner.policy();
              }
            }
          }
          o = env.step(moves).toBuilder().setEpisode(e).build();
        }
      }
      return new double[] {untrained, greedyReturn(learner.policy())};
    }
  }

  static double greedyReturn(QFunction q) {
    FakeSparsityEnv env = new FakeSparsityEnv();
    Observation o = env.reset();
    double total = 0;
    while (!o.getDone()) {
      o = env.step(q.greedy(FeatureEncoder.encode(o)));
      total += o.getReward();
    }
    return total;
  }
}
