package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import io.jitsparse.env.node.EpisodeJournal;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.WireForwarder;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Trainer (lenet-300-100, tiny data) against a fake agent: a probe registered under {@code
 * TRAINER_REGISTRY} through a {@link WireForwarder}, and a scripted explorer whose every message is
 * also seen by a monitor probe. All protobuf messages cross the real serializer.
 */
class TrainerTest {

  private static final Duration LONG = Duration.ofSeconds(180);
  private static final List<Double> ACTION = List.of(0.5, 0.3, 0.8);
  private static final String ID = "test-node-0";

  @Test
  void registersObservesAppliesActionsRejectsBadOnesAndJournalsEveryEpisode(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      TrainerSettings s =
          ActorTests.settings(
              out,
              // the trainer never waits for registration: a window that holds all 18 decisions
              // keeps the ones made before the test registers it (a slower machine makes more)
              Map.of(
                  "episodes",
                  2,
                  "episode-steps",
                  40,
                  "run-id",
                  "",
                  "max-unacked-observations",
                  32,
                  // resent while the episodes still run: the direct pass trains the whole of
                  // both episodes in well under the default 2 s
                  "ack-timeout",
                  "20ms"));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      TestProbe<Message> registry = kit.createTestProbe(Message.class);
      ActorRef<Message> forwarder = kit.spawn(WireForwarder.create(registry.ref()), "registry");
      kit.system()
          .receptionist()
          .tell(Receptionist.register(ServiceKeys.TRAINER_REGISTRY, forwarder));
      ActorRef<EpisodeJournal.Command> journal = kit.spawn(EpisodeJournal.create(out), "journal");
      ActorRef<Trainer.Command> trainer =
          kit.spawn(
              Trainer.create(s, 0, ID, journal, meters, "test-node", ActorTests.data()),
              ID,
              DispatcherSelector.fromConfig(TrainerSettings.TRAINER_DISPATCHER));

      RegisterTrainer register = registry.expectMessageClass(RegisterTrainer.class, LONG);
      assertEquals(ID, register.getTrainer().getTrainerId());
      assertEquals(3, register.getTrainer().getLayersCount());
      assertEquals(5, register.getTrainer().getDecisionInterval());
      ActorRefResolver resolver = ActorRefResolver.get(kit.system());
      ActorRef<Message> trainerWire = resolver.resolveActorRef(register.getTrainerRef());
      TestProbe<Message> seen = kit.createTestProbe(Message.class);
      ActorRef<Message> explorer =
          kit.spawn(
              Behaviors.monitor(Message.class, seen.ref(), fakeExplorer(trainerWire)), "explorer");
      trainerWire.tell(
          TrainerRegistered.newBuilder()
              .setTrainerId(ID)
              .setRunId("run-test")
              .setExplorerRef(resolver.toSerializationFormat(explorer))
              .build());

      TestProbe<Object> watcher = kit.createTestProbe();
      watcher.expectTerminated(trainer, LONG);
      assertTrue(
          drain(registry).stream().anyMatch(m -> m instanceof DeregisterTrainer),
          "a finished trainer deregisters");

      List<Message> received = drain(seen);
      Map<String, Observation> byDecision = new LinkedHashMap<>();
      int copiesOf02 = 0;
      List<Long> summaries = new ArrayList<>();
      for (Message m : received) {
        if (m instanceof Observation o) {
          byDecision.putIfAbsent(o.getEpisode() + "/" + o.getDecision(), o);
          if (o.getEpisode() == 0 && o.getDecision() == 2) {
            copiesOf02++;
          }
        } else if (m instanceof EpisodeSummary e) {
          summaries.add(e.getEpisode());
        }
      }
      assertTrue(copiesOf02 >= 2, "the unanswered observation 0/2 was not resent");
      assertTrue(summaries.containsAll(List.of(0L, 1L)), "summaries " + summaries);
      for (long e = 0; e < 2; e++) {
        for (long d = 0; d <= 8; d++) {
          Observation o = byDecision.get(e + "/" + d);
          assertTrue(o != null, "missing observation " + e + "/" + d);
          assertEquals(3, o.getLayersCount());
          assertEquals(d * 5, o.getStep());
          assertEquals(d == 8, o.getDone(), "done flag of " + e + "/" + d);
          assertTrue(Double.isFinite(o.getSmoothedLoss()));
          if (d == 0) {
            assertEquals(0.0, o.getReward());
          }
        }
        assertEquals(0.1, byDecision.get(e + "/8").getGlobalDensity(), 1e-3);
      }
      // Episode 1 runs registered from its start: the action answering decision 0 arrives within
      // an interval or two and holds until the final phase (from step 30, decision 6).
      long firstMatch = -1;
      for (long d = 1; d <= 5; d++) {
        boolean match = matches(byDecision.get("1/" + d));
        if (match && firstMatch < 0) {
          firstMatch = d;
        }
        assertTrue(firstMatch < 0 || match, "decision 1/" + d + " lost the action");
      }
      // a loaded machine may step past a boundary or two before the answer arrives
      assertTrue(firstMatch >= 1 && firstMatch <= 4, "action applied first at " + firstMatch);
      // from the reference's end (75%, step 30) the network is exactly at the target
      assertEquals(0.1, byDecision.get("1/7").getGlobalDensity(), 1e-3);

      assertTrue(count(meters, "stale") >= 1, "stale actions counted");
      assertTrue(count(meters, "rejected") >= 1, "rejected actions counted");
      assertTrue(count(meters, "applied") >= 5, "applied actions counted");
      assertEquals(80.0, meters.get("jitsparse.trainer.steps").counter().count());
      assertTrue(meters.get("jitsparse.trainer.observations.resent").counter().count() >= 1);
      assertTrue(meters.get("jitsparse.trainer.decision.latency").timer().count() >= 1);
      assertEquals(0.0, meters.get("jitsparse.trainer.observations.dropped").counter().count());

      List<JsonNode> lines = ActorTests.journal(out);
      assertEquals(2, lines.size());
      for (int e = 0; e < 2; e++) {
        JsonNode l = lines.get(e);
        assertEquals(e, l.get("episode").asInt());
        assertEquals(ID, l.get("trainer").asText());
        assertEquals("lenet-300-100", l.get("model").asText());
        assertFalse(l.get("aborted").asBoolean());
        assertEquals(40, l.get("steps").asInt());
        assertEquals(0.1, l.get("global_density").asDouble(), 1e-3);
        assertEquals(0.1, l.get("target_density").asDouble());
        double accuracy = l.get("test_accuracy").asDouble();
        assertTrue(accuracy > 0.1 && accuracy <= 1, "test accuracy " + accuracy);
        assertTrue(l.get("training_flops").asDouble() > 0);
        assertTrue(l.has("return") && l.has("seed") && l.has("policy_version"));
        assertEquals(3, l.get("schedule").size());
        assertEquals(9, l.get("schedule").get(0).get("density").size());
      }
      assertEquals("run-test", lines.get(1).get("run_id").asText());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void withoutAnAgentFollowsTheFallbackAndStopsCleanly(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      TrainerSettings s = ActorTests.settings(out, Map.of("episodes", 0));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      // A registry that never answers: registration is resent, decisions fall back.
      TestProbe<Message> registry = kit.createTestProbe(Message.class);
      ActorRef<Message> forwarder = kit.spawn(WireForwarder.create(registry.ref()), "registry");
      kit.system()
          .receptionist()
          .tell(Receptionist.register(ServiceKeys.TRAINER_REGISTRY, forwarder));
      ActorRef<EpisodeJournal.Command> journal = kit.spawn(EpisodeJournal.create(out), "journal");
      ActorRef<Trainer.Command> trainer =
          kit.spawn(
              Trainer.create(s, 0, ID, journal, meters, "test-node", ActorTests.data()),
              ID,
              DispatcherSelector.fromConfig(TrainerSettings.TRAINER_DISPATCHER));
      registry.expectMessageClass(RegisterTrainer.class, LONG);
      registry.expectMessageClass(RegisterTrainer.class, Duration.ofSeconds(10));

      TestProbe<Object> poll = kit.createTestProbe();
      poll.awaitAssert(
          LONG,
          Duration.ofMillis(200),
          () -> {
            assertTrue(ActorTests.journal(out).size() >= 1);
            return null;
          });
      JsonNode first = ActorTests.journal(out).get(0);
      assertFalse(first.get("aborted").asBoolean());
      assertEquals(0.1, first.get("global_density").asDouble(), 1e-3);
      // Without an agent the trainer follows the reference itself (zero offsets), lowered only
      // by the budget that its validation passes take: until the reference's end (75%, step 15,
      // decision 3) every layer only prunes, from near dense; from there the network is scaled to
      // exactly the target.
      for (JsonNode layer : first.get("schedule")) {
        JsonNode d = layer.get("density");
        assertTrue(d.get(0).asDouble() > 0.5, "starts near dense: " + d);
        for (int k = 1; k < 3; k++) {
          assertTrue(d.get(k).asDouble() <= d.get(k - 1).asDouble() + 1e-9, "only prunes: " + d);
        }
      }
      assertTrue(meters.get("jitsparse.trainer.fallback.decisions").counter().count() >= 5);

      TestProbe<Done> done = kit.createTestProbe(Done.class);
      trainer.tell(new Trainer.Stop(done.ref()));
      done.expectMessage(Duration.ofSeconds(30), Done.getInstance());
      TestProbe<Object> watcher = kit.createTestProbe();
      watcher.expectTerminated(trainer, Duration.ofSeconds(30));
      List<JsonNode> lines = ActorTests.journal(out);
      JsonNode last = lines.get(lines.size() - 1);
      if (last.get("aborted").asBoolean()) {
        assertEquals("shutdown", last.get("abort_reason").asText());
      }
      assertTrue(
          lines.stream().anyMatch(l -> "shutdown".equals(l.get("abort_reason").asText())),
          "the episode in progress is journaled as aborted");
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Whether {@code o} reports the scripted action applied: half the reference in every layer. */
  private static boolean matches(Observation o) {
    for (int i = 0; i < ACTION.size(); i++) {
      if (Math.abs(o.getLayers(i).getLogOffset() - Math.log(0.5)) > 1e-3) {
        return false;
      }
    }
    return true;
  }

  private static double count(SimpleMeterRegistry meters, String outcome) {
    return meters.get("jitsparse.trainer.actions").tag("outcome", outcome).counter().count();
  }

  private static List<Message> drain(TestProbe<Message> probe) {
    List<Message> out = new ArrayList<>();
    while (true) {
      try {
        out.add(probe.receiveMessage(Duration.ofMillis(300)));
      } catch (AssertionError end) {
        return out;
      }
    }
  }

  /**
   * A scripted explorer: answers every observation with {@link #ACTION} (done ones with an ack) and
   * every summary with an ack; ignores the first copy of observation 0/2 (so it must be resent); on
   * the first observation of episode 1 also sends a stale action of episode 0 and a malformed one
   * (two densities for three layers).
   */
  private static Behavior<Message> fakeExplorer(ActorRef<Message> trainer) {
    AtomicBoolean ignored = new AtomicBoolean();
    AtomicBoolean misbehaved = new AtomicBoolean();
    return Behaviors.receive(Message.class)
        .onMessage(
            Observation.class,
            o -> {
              if (o.getEpisode() == 0
                  && o.getDecision() == 2
                  && ignored.compareAndSet(false, true)) {
                return Behaviors.same();
              }
              if (o.getDone()) {
                trainer.tell(
                    ObservationAck.newBuilder()
                        .setTrainerId(o.getTrainerId())
                        .setEpisode(o.getEpisode())
                        .setDecision(o.getDecision())
                        .setObservationSentAtNanos(o.getSentAtNanos())
                        .build());
                return Behaviors.same();
              }
              if (o.getEpisode() == 1 && misbehaved.compareAndSet(false, true)) {
                trainer.tell(action(0, 3, ACTION, 0));
                trainer.tell(action(1, 0, List.of(0.5, 0.5), 0));
              }
              trainer.tell(action(o.getEpisode(), o.getDecision(), ACTION, o.getSentAtNanos()));
              return Behaviors.same();
            })
        .onMessage(
            EpisodeSummary.class,
            e -> {
              trainer.tell(
                  EpisodeSummaryAck.newBuilder()
                      .setTrainerId(e.getTrainerId())
                      .setEpisode(e.getEpisode())
                      .build());
              return Behaviors.same();
            })
        .build();
  }

  private static SparsityAction action(
      long episode, long decision, List<Double> densities, long sentAt) {
    return SparsityAction.newBuilder()
        .setTrainerId(ID)
        .setEpisode(episode)
        .setDecision(decision)
        .setPolicyVersion(1)
        .addAllLayerDensities(densities)
        // ln 0.5: half the reference's density in every layer (the wall may lower it further)
        .addAllLayerLogOffsets(densities.stream().map(d -> Math.log(0.5)).toList())
        .setObservationSentAtNanos(sentAt)
        .build();
  }
}
