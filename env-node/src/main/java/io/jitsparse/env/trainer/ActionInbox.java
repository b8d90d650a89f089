package io.jitsparse.env.trainer;

import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.Optional;

/**
 * The newest valid action of a trainer's current episode, waiting for the next decision boundary
 * (docs/cluster.md, flow 3). Actions arrive between training steps but take effect only at a
 * boundary, so several may arrive for one boundary: the newest wins and the others are counted as
 * superseded. Free of Pekko; the {@link Trainer} counts and logs each {@link Verdict}.
 */
final class ActionInbox {

  /** What became of an offered action. */
  enum Outcome {
    /** Of an earlier episode: dropped, but it still answers its observation. */
    STALE,
    /** Invalid (future episode, unobserved decision, wrong layers, another trainer): dropped. */
    REJECTED,
    /** Not newer than the waiting or the last applied action: dropped. */
    SUPERSEDED,
    /** Waits for the next boundary. */
    PENDING,
    /** Waits for the next boundary in place of an older waiting action, which is superseded. */
    REPLACED
  }

  /**
   * The outcome of one offer.
   *
   * @param outcome what became of the action
   * @param reason why it was rejected; empty otherwise
   */
  record Verdict(Outcome outcome, String reason) {

    /** Whether the action answers its observation: all but invalid ones do. */
    boolean acknowledges() {
      return outcome != Outcome.REJECTED;
    }
  }

  private final String trainerId;
  private long lastObserved = -1;
  private long lastApplied = -1;
  private SparsityAction pending;

  ActionInbox(String trainerId) {
    this.trainerId = trainerId;
  }

  /** A new episode: its decisions count from 0 again and nothing waits. */
  void startEpisode() {
    lastObserved = -1;
    lastApplied = -1;
    pending = null;
  }

  /** The observation of {@code decision} was sent: actions up to it may answer now. */
  void observed(long decision) {
    lastObserved = decision;
  }

  /**
   * Offers an action.
   *
   * @param episode the trainer's current episode index
   * @param running whether that episode is running (an action for an ended one is stale)
   * @param layers the network's prunable layers
   */
  Verdict offer(SparsityAction a, long episode, boolean running, int layers) {
    if (a.getEpisode() < episode || (a.getEpisode() == episode && !running)) {
      return new Verdict(Outcome.STALE, "");
    }
    Optional<String> bad =
        a.getTrainerId().equals(trainerId)
            ? MessageChecks.action(a, episode, lastObserved, layers)
            : Optional.of("action for trainer " + a.getTrainerId());
    if (bad.isPresent()) {
      return new Verdict(Outcome.REJECTED, bad.get());
    }
    boolean newer =
        a.getDecision() > lastApplied
            && (pending == null || a.getDecision() >= pending.getDecision());
    if (!newer) {
      return new Verdict(Outcome.SUPERSEDED, "");
    }
    Outcome outcome = pending == null ? Outcome.PENDING : Outcome.REPLACED;
    pending = a;
    return new Verdict(outcome, "");
  }

  /** The waiting action, taken to be applied at this boundary; empty if none waits. */
  Optional<SparsityAction> take() {
    Optional<SparsityAction> a = Optional.ofNullable(pending);
    a.ifPresent(p -> lastApplied = p.getDecision());
    pending = null;
    return a;
  }
}
