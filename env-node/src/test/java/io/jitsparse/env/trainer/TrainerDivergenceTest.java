package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.WireForwarder;
import io.jitsparse.protocol.v1.StepStateBatch;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diverging loss aborts the episode (journalled with its reason) and the trainer goes on with the
 * next one; step states reach a subscriber over the wire format.
 */
class TrainerDivergenceTest {

  private static final Duration LONG = Duration.ofSeconds(120);

  @Test
  void aNonFiniteLossAbortsTheEpisodeNotTheTrainer(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      // a learning rate this large overflows the weights within a few steps
      TrainerSettings s =
          ActorTests.settings(out, Map.of("episodes", 2), Map.of("jitsparse.baseline.lr", 1e30));
      TestProbe<Message> registry = kit.createTestProbe(Message.class);
      ActorRef<Message> forwarder = kit.spawn(WireForwarder.create(registry.ref()), "registry");
      kit.system()
          .receptionist()
          .tell(Receptionist.register(ServiceKeys.TRAINER_REGISTRY, forwarder));
      ActorRef<Trainer.Command> trainer =
          ActorTests.spawnTrainer(kit, s, "div-0", out, new SimpleMeterRegistry());
      TestProbe<Object> poll = kit.createTestProbe();
      poll.awaitAssert(
          LONG,
          Duration.ofMillis(200),
          () -> {
            assertEquals(2, ActorTests.journal(out).size());
            return null;
          });
      List<JsonNode> lines = ActorTests.journal(out);
      for (int e = 0; e < 2; e++) {
        JsonNode line = lines.get(e);
        assertEquals(e, line.get("episode").asInt(), line.toString());
        assertTrue(line.get("aborted").asBoolean(), line.toString());
        assertTrue(
            line.get("abort_reason").asText().toLowerCase().contains("loss"), line.toString());
        assertTrue(line.get("steps").asLong() < 20, "stopped early: " + line);
      }
      // both episodes ran: the trainer survived the first divergence, then finished normally
      poll.expectTerminated(trainer, LONG);
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void stepStatesReachASubscriberInBatches(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      TrainerSettings s = ActorTests.settings(out, Map.of("episodes", 1, "step-state-batch", 5));
      ActorRef<Trainer.Command> trainer =
          ActorTests.spawnTrainer(kit, s, "sub-0", out, new SimpleMeterRegistry());
      TestProbe<Message> subscriber = kit.createTestProbe(Message.class);
      ActorRef<Message> inbox = kit.spawn(WireForwarder.create(subscriber.ref()), "subscriber");
      String ref = ActorRefResolver.get(kit.system()).toSerializationFormat(inbox);
      trainer.tell(
          new Trainer.Wire(SubscribeStepStates.newBuilder().setSubscriberRef(ref).build()));
      StepStateBatch batch = subscriber.expectMessageClass(StepStateBatch.class, LONG);
      assertEquals(5, batch.getStatesCount());
      long previous = -1;
      for (var st : batch.getStatesList()) {
        assertEquals("sub-0", st.getTrainerId());
        assertTrue(st.getStep() > previous, "steps increase");
        previous = st.getStep();
        assertTrue(Double.isFinite(st.getLoss()) && st.getLoss() > 0);
        assertEquals(3, st.getLayerDensitiesCount(), "lenet-300-100 has 3 prunable layers");
      }
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void theLastStepsOfAnEpisodeGoOutWhenItEnds(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      // a batch larger than the episode: only the flush at the episode's end sends anything
      TrainerSettings s =
          ActorTests.settings(out, Map.of("episodes", 1, "step-state-batch", 10_000));
      ActorRef<Trainer.Command> trainer =
          ActorTests.spawnTrainer(kit, s, "sub-1", out, new SimpleMeterRegistry());
      TestProbe<Message> subscriber = kit.createTestProbe(Message.class);
      ActorRef<Message> inbox = kit.spawn(WireForwarder.create(subscriber.ref()), "subscriber");
      String ref = ActorRefResolver.get(kit.system()).toSerializationFormat(inbox);
      trainer.tell(
          new Trainer.Wire(SubscribeStepStates.newBuilder().setSubscriberRef(ref).build()));
      StepStateBatch batch = subscriber.expectMessageClass(StepStateBatch.class, LONG);
      var last = batch.getStates(batch.getStatesCount() - 1);
      assertEquals(s.episodeSteps(), last.getStep(), "the episode's last step is in the batch");
    } finally {
      kit.shutdownTestKit();
    }
  }
}
