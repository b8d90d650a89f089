package io.jitsparse.cli;

import io.jitsparse.agent.learner.LearnerCheckpoint;
import io.jitsparse.agent.learner.QLearner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Learner checkpoints for the commands that run a policy. */
final class TestPolicies {

  /** The policy version the checkpoints carry. */
  static final long VERSION = 5;

  private TestPolicies() {}

  /**
   * A checkpoint of an untrained learner (small random Q-network, seeded): its greedy policy makes
   * arbitrary but valid moves, which is all the wiring needs.
   */
  static Path untrained(Path dir) throws IOException {
    try (QLearner learner = new QLearner(new QLearner.Config(new int[] {16}, 1e-3, 1.0, 100, 7))) {
      return new LearnerCheckpoint(VERSION, 0, 0, 0, learner.state(), Map.of()).write(dir, 1);
    }
  }
}
