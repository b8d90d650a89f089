package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.trainer.ActionInbox.Outcome;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionInboxTest {

  private static final String ID = "n-0";

  private static SparsityAction action(String trainer, long episode, long decision) {
    return SparsityAction.newBuilder()
        .setTrainerId(trainer)
        .setEpisode(episode)
        .setDecision(decision)
        .addAllLayerDensities(List.of(0.5, 0.5))
        .addAllLayerLogOffsets(List.of(0.0, 0.0))
        .build();
  }

  private static ActionInbox inbox(long observedUpTo) {
    ActionInbox inbox = new ActionInbox(ID);
    inbox.startEpisode();
    inbox.observed(observedUpTo);
    return inbox;
  }

  @Test
  void staleAndInvalidActionsAreNotKept() {
    ActionInbox inbox = inbox(2);
    assertEquals(Outcome.STALE, inbox.offer(action(ID, 0, 1), 1, true, 2).outcome());
    assertEquals(Outcome.STALE, inbox.offer(action(ID, 1, 1), 1, false, 2).outcome());
    ActionInbox.Verdict future = inbox.offer(action(ID, 1, 3), 1, true, 2);
    assertEquals(Outcome.REJECTED, future.outcome());
    assertFalse(future.acknowledges());
    assertFalse(future.reason().isEmpty());
    assertEquals(Outcome.REJECTED, inbox.offer(action("n-9", 1, 1), 1, true, 2).outcome());
    assertEquals(Outcome.REJECTED, inbox.offer(action(ID, 1, 1), 1, true, 3).outcome());
    assertTrue(inbox.take().isEmpty());
  }

  @Test
  void theNewestActionWinsAndAnAppliedDecisionIsNotAppliedAgain() {
    ActionInbox inbox = inbox(2);
    assertEquals(Outcome.PENDING, inbox.offer(action(ID, 0, 1), 0, true, 2).outcome());
    assertEquals(Outcome.SUPERSEDED, inbox.offer(action(ID, 0, 0), 0, true, 2).outcome());
    ActionInbox.Verdict newer = inbox.offer(action(ID, 0, 2), 0, true, 2);
    assertEquals(Outcome.REPLACED, newer.outcome());
    assertTrue(newer.acknowledges());
    assertEquals(2, inbox.take().orElseThrow().getDecision());
    assertTrue(inbox.take().isEmpty(), "taken once");
    assertEquals(Outcome.SUPERSEDED, inbox.offer(action(ID, 0, 2), 0, true, 2).outcome());

    inbox.startEpisode();
    inbox.observed(0);
    assertEquals(Outcome.PENDING, inbox.offer(action(ID, 1, 0), 1, true, 2).outcome());
  }
}
