package io.jitsparse.env.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.WireForwarder;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedTrainerTest {

  /** One system per test: each test's fake agent must be the only registry listed. */
  private ActorTestKit kit;

  private static final int DECISIONS = 3;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("loadgen", ConfigFactory.load("loadgen-test.conf"));
  }

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  private static LoadgenSettings settings(int window) {
    return new LoadgenSettings(
        1,
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        Duration.ZERO,
        List.of("lenet5-caffe"),
        ModelRegistry.DEFAULT_RESNET_WIDTH,
        DECISIONS,
        100,
        0.05,
        Duration.ofSeconds(5),
        window,
        4,
        "test",
        1);
  }

  private static SyntheticObservations synthetic(String id) {
    return new SyntheticObservations(
        id,
        "test",
        "lenet5-caffe",
        ModelShapes.of("lenet5-caffe", ModelRegistry.DEFAULT_RESNET_WIDTH),
        1,
        DECISIONS,
        100,
        0.05);
  }

  /** Starts the fake agent behind a WireForwarder registered as the trainer registry. */
  private TestProbe<Message> agent(AtomicBoolean silent) {
    TestProbe<Message> seen = kit.createTestProbe(Message.class);
    ActorRef<Message> agent =
        kit.spawn(Behaviors.monitor(Message.class, seen.ref(), FakeAgent.create(silent)));
    ActorRef<Message> forwarder = kit.spawn(WireForwarder.create(agent));
    TestProbe<Receptionist.Registered> registered =
        kit.createTestProbe(Receptionist.Registered.class);
    kit.system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.TRAINER_REGISTRY, forwarder, registered.ref()));
    registered.receiveMessage();
    return seen;
  }

  @Test
  void registersDecidesEndsEpisodesAndMeasuresRoundTrips() {
    TestProbe<Message> seen = agent(new AtomicBoolean(false));
    LatencyRecorder recorder = new LatencyRecorder();
    LoadCounters counters = new LoadCounters();
    ActorRef<SimulatedTrainer.Command> trainer =
        kit.spawn(
            SimulatedTrainer.create(
                settings(8), synthetic("test-sim-0"), Duration.ZERO, recorder, counters));

    RegisterTrainer r = seen.expectMessageClass(RegisterTrainer.class);
    assertEquals("test-sim-0", r.getTrainer().getTrainerId());
    assertTrue(r.getTrainer().getSimulated());
    for (long episode = 0; episode < 2; episode++) {
      for (int d = 0; d < DECISIONS; d++) {
        Observation o = seen.expectMessageClass(Observation.class);
        assertEquals(episode, o.getEpisode());
        assertEquals(d, o.getDecision());
        assertEquals(d == DECISIONS - 1, o.getDone());
      }
      EpisodeSummary s = seen.expectMessageClass(EpisodeSummary.class);
      assertEquals(episode, s.getEpisode());
      assertEquals("run-test", s.getRunId());
    }
    // every answer so far was a first acknowledgement; the trainer measured each
    seen.awaitAssert(
        () -> {
          assertTrue(recorder.count() >= 2 * DECISIONS);
          return null;
        });
    LoadCounters.Snapshot c = counters.snapshot();
    assertEquals(1, c.registered());
    assertEquals(0, c.droppedObservations());
    assertEquals(0, c.rejectedActions());
    assertTrue(c.summaries() >= 2);
    assertTrue(recorder.maxNanos() > 0);

    trainer.tell(new SimulatedTrainer.Stop());
    seen.fishForMessage(
        Duration.ofSeconds(3),
        m ->
            m instanceof DeregisterTrainer
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void aFullWindowDropsTheOldestAndCountsIt() {
    TestProbe<Message> seen = agent(new AtomicBoolean(true));
    LatencyRecorder recorder = new LatencyRecorder();
    LoadCounters counters = new LoadCounters();
    ActorRef<SimulatedTrainer.Command> trainer =
        kit.spawn(
            SimulatedTrainer.create(
                settings(2), synthetic("test-sim-1"), Duration.ZERO, recorder, counters));
    seen.expectMessageClass(RegisterTrainer.class);
    // nothing is acknowledged: the third and fourth observations each push the oldest out
    for (int i = 0; i < 4; i++) {
      seen.fishForMessage(
          Duration.ofSeconds(3),
          m ->
              m instanceof Observation
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore());
    }
    seen.awaitAssert(
        () -> {
          LoadCounters.Snapshot c = counters.snapshot();
          assertTrue(c.droppedObservations() >= 2, "dropped " + c.droppedObservations());
          assertEquals(2, c.unacked());
          return null;
        });
    assertEquals(0, recorder.count());
    kit.stop(trainer);
  }
}
