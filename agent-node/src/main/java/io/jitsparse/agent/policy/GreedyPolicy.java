package io.jitsparse.agent.policy;

import io.jitsparse.agent.learner.LearnerCheckpoint;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A learned policy acting greedily, outside the cluster: what {@code jitsparse evaluate} and {@code
 * jitsparse baseline --method policy} train a network with. It answers an observation with each
 * layer's best move (a log-offset from the trainer's reference schedule), as an explorer with
 * epsilon 0 would.
 */
public final class GreedyPolicy {

  private final QFunction q;
  private final long version;
  private final Path source;

  /**
   * @param q the Q-function
   * @param version its policy version (reported in actions)
   * @param source where it was read from (for messages)
   */
  public GreedyPolicy(QFunction q, long version, Path source) {
    this.q = q;
    this.version = version;
    this.source = source;
  }

  /**
   * The policy of a learner checkpoint: {@code checkpoint} is a {@code policy-*.ckpt} file or a
   * folder holding some (a run's output folder or its {@code checkpoints} folder), whose newest is
   * taken. The message of a failure names the file.
   */
  public static GreedyPolicy load(Path checkpoint) throws IOException {
    Path file = LearnerCheckpoint.resolve(checkpoint);
    LearnerCheckpoint c = LearnerCheckpoint.read(file);
    return new GreedyPolicy(c.learner().online(), c.policyVersion(), file);
  }

  /** The answer to {@code o}: the greedy moves' target densities. */
  public Optional<SparsityAction> decide(Observation o) {
    if (o.getDone()) {
      return Optional.empty();
    }
    int[] moves = q.greedy(FeatureEncoder.encode(o));
    return Optional.of(MoveSet.action(o, moves, version));
  }

  /** The policy version. */
  public long version() {
    return version;
  }

  /** The Q-function. */
  public QFunction qFunction() {
    return q;
  }

  /** Where the policy came from. */
  public Path source() {
    return source;
  }
}
