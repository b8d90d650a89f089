package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile actions into a trainer's {@link ActionInbox} (issue 15, item 5), the decoder of the
 * agent's answers: sequences of actions with hostile episodes, decisions, versions, densities and
 * log-offsets, interleaved with observations, boundaries and new episodes. An offer never throws; a
 * rejection carries its reason; and what the trainer takes at a boundary is always an action {@link
 * MessageChecks#action} accepts, for a decision newer than the last one applied.
 */
class ActionInboxFuzzTest {

  private static final String ID = "node-a-0";
  private static final int LAYERS = 2;
  private static final int MAX_STEPS = 40;
  private static final long EPISODE_RANGE = 3;
  private static final long DECISION_RANGE = 6;

  /** One step of the trainer's life: offer an action, observe, take at a boundary, or restart. */
  record Step(int kind, SparsityAction action, long decision) {}

  private static final int OFFER = 0;
  private static final int OBSERVE = 1;
  private static final int TAKE = 2;
  private static final int KINDS = 4;

  @Property
  void takenActionsAreValidAndNewer(@ForAll("lives") List<Step> life) {
    ActionInbox inbox = new ActionInbox(ID);
    long episode = 0;
    long observed = -1;
    long applied = -1;
    inbox.startEpisode();
    for (Step s : life) {
      switch (s.kind()) {
        case OFFER -> {
          ActionInbox.Verdict v = inbox.offer(s.action(), episode, true, LAYERS);
          if (v.outcome() == ActionInbox.Outcome.REJECTED) {
            assertFalse(v.reason().isEmpty());
          }
        }
        case OBSERVE -> {
          observed = Math.max(observed, s.decision());
          inbox.observed(observed);
        }
        case TAKE -> {
          Optional<SparsityAction> a = inbox.take();
          if (a.isPresent()) {
            assertEquals(
                Optional.empty(), MessageChecks.action(a.get(), episode, observed, LAYERS));
            assertEquals(ID, a.get().getTrainerId());
            assertTrue(a.get().getDecision() > applied, a.get()::toString);
            applied = a.get().getDecision();
          }
        }
        default -> {
          episode++;
          observed = -1;
          applied = -1;
          inbox.startEpisode();
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Step>> lives() {
    Arbitrary<Double> doubles =
        Arbitraries.oneOf(
            Arbitraries.of(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1.5, -1.0),
            Arbitraries.doubles().between(0, 1));
    Arbitrary<Long> longs =
        Arbitraries.oneOf(
            Arbitraries.of(Long.MIN_VALUE, -1L, Long.MAX_VALUE),
            Arbitraries.longs().between(0, DECISION_RANGE));
    Arbitrary<SparsityAction> actions =
        Combinators.combine(
                Arbitraries.of(ID, ID, "node-a-1", ""),
                Arbitraries.oneOf(longs, Arbitraries.longs().between(0, EPISODE_RANGE)),
                longs,
                longs,
                doubles.list().ofMinSize(LAYERS - 1).ofMaxSize(LAYERS + 1),
                doubles.list().ofMinSize(LAYERS - 1).ofMaxSize(LAYERS + 1))
            .as(
                (id, episode, decision, version, densities, offsets) ->
                    SparsityAction.newBuilder()
                        .setTrainerId(id)
                        .setEpisode(episode)
                        .setDecision(decision)
                        .setPolicyVersion(version)
                        .addAllLayerDensities(densities)
                        .addAllLayerLogOffsets(offsets)
                        .build());
    Arbitrary<Step> steps =
        Combinators.combine(
                Arbitraries.integers().between(0, KINDS - 1),
                actions,
                Arbitraries.longs().between(0, DECISION_RANGE))
            .as(Step::new);
    return steps.list().ofMaxSize(MAX_STEPS);
  }
}
