package io.jitsparse.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.ReplayStatsQuery;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A probe plays a trainer against a whole agent-node in a cluster of one. */
class AgentNodeTest {

  private static final ActorTestKit KIT =
      ActorTestKit.create("AgentNodeTest", ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int LAYERS = 2;
  private static final int LAST_DECISION = 5;

  @BeforeAll
  static void join() {
    Cluster cluster = Cluster.get(KIT.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static String ref(ActorRef<?> r) {
    return ActorRefResolver.get(KIT.system()).toSerializationFormat(r);
  }

  private static <T> ActorRef<T> resolve(String r) {
    return ActorRefResolver.get(KIT.system()).resolveActorRef(r);
  }

  private static LayerFeatures layer(int i, double density) {
    return LayerFeatures.newBuilder()
        .setIndex(i)
        .setFanIn(100)
        .setFanOut(10)
        .setParameterCount(1000)
        .setRelativeDepth(i)
        .setDensity(density)
        .setReferenceDensity(Math.min(1, density))
        .build();
  }

  private static Observation obs(long decision, boolean done) {
    Observation.Builder b =
        Observation.newBuilder()
            .setTrainerId("t-0")
            .setEpisode(0)
            .setDecision(decision)
            .setStep(decision * 10)
            .setTotalSteps(LAST_DECISION * 10)
            .setGlobalDensity(1.0)
            .setTargetDensity(0.1)
            .setValidationAccuracy(0.5)
            .setReward(decision == 0 ? 0 : 1.0)
            .setDone(done)
            .setSentAtNanos(1000 + decision);
    for (int i = 0; i < LAYERS; i++) {
      b.addLayers(layer(i, 1.0));
    }
    return b.build();
  }

  private static RegisterTrainer registration(ActorRef<Message> trainer) {
    TrainerDescription.Builder d =
        TrainerDescription.newBuilder()
            .setTrainerId("t-0")
            .setNode("env-a")
            .setModel("lenet-300-100")
            .setTargetDensity(0.1)
            .setEpisodeSteps(LAST_DECISION * 10)
            .setDecisionInterval(10);
    for (int i = 0; i < LAYERS; i++) {
      d.addLayers(layer(i, 1.0));
    }
    return RegisterTrainer.newBuilder().setTrainer(d).setTrainerRef(ref(trainer)).build();
  }

  private static double count(SimpleMeterRegistry m, String name, String... tags) {
    Counter c = m.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static double explorers(SimpleMeterRegistry m) {
    return m.get("jitsparse.agent.explorers").gauge().value();
  }

  @Test
  void trainerPlaysAnEpisodeAgainstTheAgent() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AgentSettings settings = AgentSettings.create(KIT.system().settings().config());
    ActorRef<AgentNode.Command> node = KIT.spawn(AgentNode.create(settings, "test-run", meters));
    TestProbe<AgentNode.Refs> refsProbe = KIT.createTestProbe();
    node.tell(new AgentNode.GetRefs(refsProbe.ref()));
    ActorRef<Message> learner = refsProbe.receiveMessage().learner();

    // Find the registry as a trainer does: through the receptionist.
    TestProbe<Receptionist.Listing> listing = KIT.createTestProbe();
    KIT.system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.TRAINER_REGISTRY, listing.ref()));
    List<Receptionist.Listing> seen =
        listing.fishForMessage(
            WAIT,
            l ->
                l.getServiceInstances(ServiceKeys.TRAINER_REGISTRY).isEmpty()
                    ? FishingOutcomes.continueAndIgnore()
                    : FishingOutcomes.complete());
    ActorRef<Message> registry =
        seen.get(seen.size() - 1)
            .getServiceInstances(ServiceKeys.TRAINER_REGISTRY)
            .iterator()
            .next();

    TestProbe<Message> trainer = KIT.createTestProbe(Message.class);
    registry.tell(registration(trainer.ref()));
    TrainerRegistered registered = trainer.expectMessageClass(TrainerRegistered.class, WAIT);
    assertEquals("test-run", registered.getRunId());
    assertEquals("t-0", registered.getTrainerId());
    ActorRef<Message> explorer = resolve(registered.getExplorerRef());
    // The reply can overtake the registry's own bookkeeping: wait for the gauge, bounded.
    KIT.createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertEquals(1.0, explorers(meters));
              return null;
            });

    // Decision 0, then its resend: the same answer once more, nothing else.
    explorer.tell(obs(0, false));
    SparsityAction first = trainer.expectMessageClass(SparsityAction.class, WAIT);
    assertEquals(0, first.getEpisode());
    assertEquals(0, first.getDecision());
    assertEquals(LAYERS, first.getLayerDensitiesCount());
    assertEquals(LAYERS, first.getMovesCount());
    // v0 (handcrafted) or v1, the learner's initial network, which it publishes at start: which
    // of the two reaches the explorer first is a race.
    assertTrue(first.getPolicyVersion() <= 1, "policy v" + first.getPolicyVersion());
    assertEquals(1000, first.getObservationSentAtNanos());
    explorer.tell(obs(0, false));
    assertEquals(first, trainer.expectMessageClass(SparsityAction.class, WAIT));

    // Malformed: a layer too many, then a density of 1.5. Rejected, counted, no answer.
    Observation.Builder extraLayer = obs(1, false).toBuilder().addLayers(layer(2, 1.0));
    explorer.tell(extraLayer.build());
    explorer.tell(obs(1, false).toBuilder().setLayers(0, layer(0, 1.5)).build());
    trainer.expectNoMessage(Duration.ofMillis(300));
    assertEquals(
        2.0,
        count(
            meters, "jitsparse.agent.messages.rejected", "trainer", "t-0", "kind", "observation"));

    for (int d = 1; d < LAST_DECISION; d++) {
      explorer.tell(obs(d, false));
      SparsityAction a = trainer.expectMessageClass(SparsityAction.class, WAIT);
      assertEquals(d, a.getDecision());
      assertEquals(LAYERS, a.getLayerDensitiesCount());
      // The handcrafted policy (v0) asks for the reference itself (offset 0); a published
      // policy's freshly initialised network may choose any offset, within a factor of two.
      double d0 = a.getLayerDensities(0);
      double offset = a.getLayerLogOffsets(0);
      assertTrue(
          a.getPolicyVersion() == 0 ? offset == 0 : Math.abs(offset) <= Math.log(2) + 1e-12,
          a.toString());
      assertTrue(d0 > 0 && d0 <= 1.0, a.toString());
    }
    // Mid-episode, the completed n-step transitions (fewer than a batch) reach the replay within
    // max-transition-delay: the explorer does not hold them until the episode ends.
    TestProbe<Message> midProbe = KIT.createTestProbe(Message.class);
    midProbe.awaitAssert(
        WAIT,
        () -> {
          learner.tell(ReplayStatsQuery.newBuilder().setReplyTo(ref(midProbe.ref())).build());
          ReplayStats s = midProbe.expectMessageClass(ReplayStats.class, WAIT);
          assertEquals(LAST_DECISION - settings.nStep(), s.getTransitionsReceived());
          return s;
        });
    explorer.tell(obs(LAST_DECISION, true));
    ObservationAck ack = trainer.expectMessageClass(ObservationAck.class, WAIT);
    assertEquals(LAST_DECISION, ack.getDecision());

    explorer.tell(
        EpisodeSummary.newBuilder()
            .setRunId("test-run")
            .setTrainerId("t-0")
            .setEpisode(0)
            .setReturn(4.0)
            .build());
    EpisodeSummaryAck summaryAck = trainer.expectMessageClass(EpisodeSummaryAck.class, WAIT);
    assertEquals(0, summaryAck.getEpisode());

    // One n-step transition per action: decisions 0..LAST_DECISION-1.
    TestProbe<Message> statsProbe = KIT.createTestProbe(Message.class);
    ReplayStats stats =
        statsProbe.awaitAssert(
            WAIT,
            () -> {
              learner.tell(ReplayStatsQuery.newBuilder().setReplyTo(ref(statsProbe.ref())).build());
              ReplayStats s = statsProbe.expectMessageClass(ReplayStats.class, WAIT);
              assertEquals(LAST_DECISION, s.getTransitionsReceived());
              return s;
            });
    assertEquals(LAST_DECISION, stats.getSize());
    assertEquals(1, stats.getEpisodesReceived());
    assertEquals(4.0, stats.getMeanReturn(), 1e-12);
    assertEquals(0, stats.getRejectedBatches());
    assertEquals(settings.replayCapacity(), stats.getCapacity());

    // Another ref claiming the same trainer id is turned away.
    TestProbe<Message> impostor = KIT.createTestProbe(Message.class);
    registry.tell(registration(impostor.ref()));
    RegistrationRejected rejected = impostor.expectMessageClass(RegistrationRejected.class, WAIT);
    assertEquals("t-0", rejected.getTrainerId());
    assertFalse(rejected.getReason().isEmpty());
    assertEquals(1.0, count(meters, "jitsparse.agent.registrations", "outcome", "rejected"));

    // The same trainer registering again keeps its explorer.
    registry.tell(registration(trainer.ref()));
    TrainerRegistered again = trainer.expectMessageClass(TrainerRegistered.class, WAIT);
    assertEquals(registered.getExplorerRef(), again.getExplorerRef());

    // Episode 1 half played: its first n-step transition is built and waits for its batch to
    // fill. The trainer deregistering does not lose it: the explorer delivers it, then stops.
    int played = settings.nStep() + 1;
    for (int d = 0; d <= played; d++) {
      explorer.tell(obs(d, false).toBuilder().setEpisode(1).build());
      trainer.expectMessageClass(SparsityAction.class, WAIT);
    }
    registry.tell(DeregisterTrainer.newBuilder().setTrainerId("t-0").setReason("done").build());
    TestProbe<Object> watcher = KIT.createTestProbe();
    watcher.expectTerminated(explorer, WAIT);
    assertEquals(0.0, explorers(meters));
    learner.tell(ReplayStatsQuery.newBuilder().setReplyTo(ref(statsProbe.ref())).build());
    assertEquals(
        LAST_DECISION + played - settings.nStep() + 1,
        statsProbe.expectMessageClass(ReplayStats.class, WAIT).getTransitionsReceived());
    assertEquals(0.0, count(meters, "jitsparse.agent.transitions.lost"));
    // A deregistered trainer ended its episode itself (it reports it aborted): not abandoned.
    assertEquals(0.0, count(meters, "jitsparse.agent.episodes.abandoned"));
  }
}
