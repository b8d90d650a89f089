package io.jitsparse.agent.explorer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainExplorerPartsTest {

  private static Observation obs(long episode, long decision, double reward, boolean done) {
    return Observation.newBuilder()
        .setTrainerId("t-0")
        .setEpisode(episode)
        .setDecision(decision)
        .setStep(decision * 10)
        .setTotalSteps(100)
        .setReward(reward)
        .setDone(done)
        .setGlobalDensity(1.0)
        .setTargetDensity(0.1)
        .addLayers(LayerFeatures.newBuilder().setIndex(0).setDensity(1.0))
        .build();
  }

  private static NStepAccumulator.Decision decision() {
    return new NStepAccumulator.Decision(new int[] {MoveSet.HOLD}, new double[] {0.5}, 0);
  }

  @Test
  void nStepReturnsDiscountAndEpisodeEnd() {
    NStepAccumulator acc = new NStepAccumulator(2, 0.5);
    List<Transition> out = new ArrayList<>();
    // decisions 0..4, rewards r1..r4 = 1, 2, 3, 4 (reward of decision k's observation), done at 4
    out.addAll(acc.observe(obs(0, 0, 0, false), decision()));
    assertTrue(out.isEmpty());
    out.addAll(acc.observe(obs(0, 1, 1, false), decision()));
    assertTrue(out.isEmpty());
    out.addAll(acc.observe(obs(0, 2, 2, false), decision()));
    assertEquals(1, out.size());
    Transition t0 = out.get(0);
    assertEquals(0, t0.getState().getDecision());
    assertEquals(2, t0.getNextState().getDecision());
    assertEquals(1 + 0.5 * 2, t0.getReward(), 1e-12);
    assertEquals(0.25, t0.getDiscount(), 1e-12);
    assertFalse(t0.getDone());
    assertEquals(2, t0.getNStep());
    assertEquals(
        Math.abs(t0.getReward()) + NStepAccumulator.PRIORITY_EPSILON,
        t0.getInitialPriority(),
        1e-12);
    out.addAll(acc.observe(obs(0, 3, 3, false), decision()));
    out.addAll(acc.observe(obs(0, 4, 4, true), null));
    // one transition per action: decisions 0..3
    assertEquals(4, out.size());
    Transition t2 = out.get(2);
    assertEquals(2, t2.getState().getDecision());
    assertEquals(3 + 0.5 * 4, t2.getReward(), 1e-12);
    assertEquals(0, t2.getDiscount());
    assertTrue(t2.getDone());
    Transition t3 = out.get(3);
    assertEquals(3, t3.getState().getDecision());
    assertEquals(4, t3.getReward(), 1e-12);
    assertEquals(1, t3.getNStep());
    assertTrue(t3.getDone());
    assertEquals(4, t3.getNextState().getDecision());
    assertEquals(0, acc.openCount());
  }

  @Test
  void nStepResetsPerEpisodeAndCountsDiscarded() {
    NStepAccumulator acc = new NStepAccumulator(3, 0.9);
    acc.observe(obs(0, 0, 0, false), decision());
    acc.observe(obs(0, 1, 1, false), decision());
    // episode 0 aborted without a final observation: its two open transitions are discarded
    assertTrue(acc.observe(obs(1, 0, 5, false), decision()).isEmpty());
    assertEquals(2, acc.discarded());
    List<Transition> end = acc.observe(obs(1, 1, 2, true), null);
    assertEquals(1, end.size());
    assertEquals(2, end.get(0).getReward(), 1e-12);
  }

  @Test
  void threeStepReturnsWeightRewardsByPowersOfGamma() {
    double gamma = 0.9;
    NStepAccumulator acc = new NStepAccumulator(3, gamma);
    List<Transition> out = new ArrayList<>();
    // decisions 0..5; the observation of decision k carries r_k = k; the episode ends at 5
    for (int k = 0; k < 5; k++) {
      out.addAll(acc.observe(obs(0, k, k, false), decision()));
      // a transition completes only once it has n = 3 rewards
      assertEquals(Math.max(0, k - 2), out.size(), "after decision " + k);
    }
    out.addAll(acc.observe(obs(0, 5, 5, true), null));
    assertEquals(5, out.size(), "one transition per decision taken");
    // from decision 0: r1 + 0.9 r2 + 0.81 r3 = 1 + 1.8 + 2.43, bootstrapped with 0.9^3 at s_3
    Transition t0 = out.get(0);
    assertEquals(5.23, t0.getReward(), 1e-12);
    assertEquals(0.729, t0.getDiscount(), 1e-12);
    assertEquals(3, t0.getNextState().getDecision());
    assertEquals(3, t0.getNStep());
    assertFalse(t0.getDone());
    // from decision 1: 2 + 0.9 * 3 + 0.81 * 4
    assertEquals(7.94, out.get(1).getReward(), 1e-12);
    assertEquals(0.729, out.get(1).getDiscount(), 1e-12);
    // from decision 2: three rewards, but s_5 is terminal: nothing to bootstrap
    Transition t2 = out.get(2);
    assertEquals(3 + 0.9 * 4 + 0.81 * 5, t2.getReward(), 1e-12);
    assertEquals(0, t2.getDiscount());
    assertTrue(t2.getDone());
    assertEquals(3, t2.getNStep());
    // decisions 3 and 4: the episode ended early, the rewards so far and discount 0
    assertEquals(4 + 0.9 * 5, out.get(3).getReward(), 1e-12);
    assertEquals(2, out.get(3).getNStep());
    assertEquals(0, out.get(3).getDiscount());
    assertEquals(5, out.get(4).getReward(), 1e-12);
    assertEquals(1, out.get(4).getNStep());
    for (Transition t : out.subList(2, 5)) {
      assertTrue(t.getDone());
      assertEquals(5, t.getNextState().getDecision());
    }
    assertEquals(0, acc.openCount());
    assertEquals(0, acc.discarded());
  }

  @Test
  void episodeShorterThanNFlushesEverythingWithoutBootstrap() {
    NStepAccumulator acc = new NStepAccumulator(5, 0.5);
    assertTrue(acc.observe(obs(0, 0, 0, false), decision()).isEmpty());
    assertTrue(acc.observe(obs(0, 1, 2, false), decision()).isEmpty());
    List<Transition> out = acc.observe(obs(0, 2, 4, true), null);
    assertEquals(2, out.size());
    assertEquals(2 + 0.5 * 4, out.get(0).getReward(), 1e-12);
    assertEquals(4, out.get(1).getReward(), 1e-12);
    for (Transition t : out) {
      assertEquals(0, t.getDiscount());
      assertTrue(t.getDone());
    }
  }

  @Test
  void oneStepReturnIsTheNextRewardDiscountedOnce() {
    NStepAccumulator acc = new NStepAccumulator(1, 0.99);
    assertTrue(acc.observe(obs(0, 0, 0, false), decision()).isEmpty());
    List<Transition> out = acc.observe(obs(0, 1, -0.25, false), decision());
    assertEquals(1, out.size());
    assertEquals(-0.25, out.get(0).getReward(), 1e-12);
    assertEquals(0.99, out.get(0).getDiscount(), 1e-12);
    assertEquals(1, out.get(0).getNStep());
    assertArrayEquals(new int[] {MoveSet.HOLD}, moves(out.get(0)));
    assertEquals(0.25 + NStepAccumulator.PRIORITY_EPSILON, out.get(0).getInitialPriority(), 1e-12);
  }

  private static int[] moves(Transition t) {
    return t.getMovesList().stream().mapToInt(Integer::intValue).toArray();
  }

  private static Transition transition(int i) {
    return Transition.newBuilder().setReward(i).build();
  }

  @Test
  void outboxDropsOldestBatchesWindowAndResends() {
    TransitionOutbox box = new TransitionOutbox("t-0/1", 2, 2, 5, 100);
    for (int i = 0; i < 7; i++) {
      box.add(transition(i));
    }
    assertEquals(2, box.dropped());
    List<TransitionBatch> sent = box.ready(0, "ack");
    // window of 2 batches of 2: transitions 2..5 go out, 6 waits
    assertEquals(2, sent.size());
    assertEquals(List.of(0L, 1L), box.unackedSequences());
    assertEquals(2.0, sent.get(0).getTransitions(0).getReward());
    assertEquals(1, box.pendingCount());
    assertTrue(box.due(99).isEmpty());
    List<TransitionBatch> resent = box.due(100);
    assertEquals(2, resent.size());
    assertEquals(0, resent.get(0).getSequence());
    assertEquals(2, box.ack(0));
    assertEquals(-1, box.ack(0));
    // one pending transition: not a full batch until flushed
    assertTrue(box.ready(150, "ack").isEmpty());
    box.flush();
    List<TransitionBatch> last = box.ready(150, "ack");
    assertEquals(1, last.size());
    assertEquals(2, last.get(0).getSequence());
    assertEquals(1, last.get(0).getTransitionsCount());
    assertTrue(box.ready(150, "ack").isEmpty());
  }

  @Test
  void outboxSendsRequestedEmptyBatch() {
    TransitionOutbox box = new TransitionOutbox("t-0/1", 2, 2, 5, 100);
    box.requestBatch();
    List<TransitionBatch> sent = box.ready(0, "ack");
    assertEquals(1, sent.size());
    assertEquals(0, sent.get(0).getTransitionsCount());
    assertEquals("ack", sent.get(0).getAckTo());
    assertTrue(box.ready(0, "ack").isEmpty());
  }

  @Test
  void transitionsRecordTheMovesTheWallAppliedNotTheOnesAskedFor() {
    NStepAccumulator acc = new NStepAccumulator(1, 0.99);
    int doubled = MoveSet.FACTORS.indexOf(2.0);
    acc.observe(
        obs(0, 0, 0, false),
        new NStepAccumulator.Decision(new int[] {doubled}, new double[] {1.0}, 3));
    // the wall lowered the doubling to x1.15 (ln 1.15 applied)
    Observation next =
        obs(0, 1, 0.1, false).toBuilder()
            .setLayers(
                0,
                LayerFeatures.newBuilder().setIndex(0).setDensity(0.6).setLogOffset(Math.log(1.15)))
            .build();
    List<Transition> out = acc.observe(next, decision());
    assertEquals(1, out.size());
    assertArrayEquals(new int[] {MoveSet.FACTORS.indexOf(1.15)}, moves(out.get(0)));
    assertEquals(0.6, out.get(0).getTargetDensities(0), 1e-12);
    assertEquals(3, out.get(0).getPolicyVersion());
  }

  @Test
  void movesAreLogOffsetsAroundTheReference() {
    Observation o =
        Observation.newBuilder()
            .setTotalSteps(100)
            .addLayers(LayerFeatures.newBuilder().setIndex(0).setReferenceDensity(0.8))
            .addLayers(LayerFeatures.newBuilder().setIndex(1).setReferenceDensity(0.2))
            .build();
    int[] moves = {MoveSet.FACTORS.indexOf(2.0), MoveSet.FACTORS.indexOf(0.5)};
    // the reference times the factor, clamped to [0, 1]
    assertArrayEquals(new double[] {1.0, 0.1}, MoveSet.targets(o, moves), 1e-12);
    var a = MoveSet.action(o, moves, 7);
    assertEquals(Math.log(2), a.getLayerLogOffsets(0), 1e-12);
    assertEquals(Math.log(0.5), a.getLayerLogOffsets(1), 1e-12);
    // version 0 asks for the reference itself
    assertArrayEquals(new int[] {MoveSet.HOLD, MoveSet.HOLD}, MoveSet.reference(2));
    assertEquals(0.0, MoveSet.offsets(MoveSet.reference(1))[0], 0.0);
    assertEquals(MoveSet.FACTORS.indexOf(0.7), MoveSet.nearest(Math.log(0.69)));
  }
}
