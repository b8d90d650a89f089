package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.learner.LearnerSettings;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Replay} actor with its journal: what it stored and the priorities the learner set are
 * on disk within the persist interval, and a replay started again on the same output folder answers
 * its first statistics query and sample request only after the restore, with the transitions it
 * had.
 */
class ReplayRestoreTest {

  private static final ActorTestKit KIT =
      ActorTestKit.create("ReplayRestoreTest", ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CAPACITY = 1000;
  private static final int MAX_BATCH = 64;
  private static final int TRANSITIONS = 48;
  private static final int BATCH = 16;
  private static final double UPDATED_PRIORITY = 7.5;

  @TempDir Path out;

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private LearnerSettings settings() {
    return LearnerSettings.read(
        ConfigFactory.parseMap(
                Map.of(
                    "out",
                    out.toString(),
                    "learner-batch-size",
                    BATCH,
                    "min-replay-size",
                    BATCH,
                    "replay-persist-interval",
                    "100ms"))
            .withFallback(ConfigFactory.load().getConfig("jitsparse.agent-node")));
  }

  private static Observation obs(int i) {
    return Observation.newBuilder()
        .setTrainerId("t-0")
        .setDecision(i)
        .setTotalSteps(100)
        .setGlobalDensity(1.0)
        .setTargetDensity(0.1)
        .addLayers(LayerFeatures.newBuilder().setIndex(0).setDensity(1.0 - i / 100.0))
        .build();
  }

  private static TransitionBatch batch() {
    TransitionBatch.Builder b = TransitionBatch.newBuilder().setExplorerId("t-0#0").setSequence(0);
    for (int i = 0; i < TRANSITIONS; i++) {
      b.addTransitions(
          Transition.newBuilder()
              .setState(obs(i))
              .setNextState(obs(i + 1))
              .addMoves(i % 3)
              .setReward(i)
              .setDiscount(0.9)
              .setInitialPriority(1.0));
    }
    return b.build();
  }

  private static ReplayStats stats(ActorRef<Replay.Command> replay, TestProbe<ReplayStats> p) {
    replay.tell(new Replay.FillStats(ReplayStats.getDefaultInstance(), p.ref()::tell));
    return p.expectMessageClass(ReplayStats.class, WAIT);
  }

  @Test
  void aRestartedReplayAnswersOnlyAfterRestoringWhatItHad() {
    LearnerSettings s = settings();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TestProbe<ReplayStats> statsProbe = KIT.createTestProbe();
    ActorRef<Replay.Command> first = KIT.spawn(Replay.create(CAPACITY, MAX_BATCH, s, meters));
    first.tell(new Replay.Store(batch()));
    assertEquals(TRANSITIONS, stats(first, statsProbe).getSize());
    first.tell(
        new Replay.UpdatePriorities(
            new int[] {0}, new long[] {0}, new double[] {UPDATED_PRIORITY}));
    // the insert and the update are on disk once the journal's lag is back to zero
    statsProbe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(0.0, meters.get("jitsparse.agent.replay.journal.lag").gauge().value());
          assertTrue(meters.get("jitsparse.agent.replay.journal.disk").gauge().value() > 0);
          return null;
        });
    double prioritySum = meters.get("jitsparse.agent.replay.priority.sum").gauge().value();
    KIT.stop(first, WAIT);
    assertTrue(Files.isDirectory(out.resolve(JournalSettings.FOLDER)));

    SimpleMeterRegistry again = new SimpleMeterRegistry();
    ActorRef<Replay.Command> second = KIT.spawn(Replay.create(CAPACITY, MAX_BATCH, s, again));
    // asked at once: the query waits for the restore instead of answering 0
    assertEquals(TRANSITIONS, stats(second, statsProbe).getSize());
    assertEquals(
        prioritySum, again.get("jitsparse.agent.replay.priority.sum").gauge().value(), 1e-9);
    TestProbe<Replay.Sampled> samples = KIT.createTestProbe();
    second.tell(new Replay.Sample(BATCH, 1.0, samples.ref()));
    assertEquals(BATCH, samples.expectMessageClass(Replay.Sampled.class, WAIT).batch().size());
  }
}
