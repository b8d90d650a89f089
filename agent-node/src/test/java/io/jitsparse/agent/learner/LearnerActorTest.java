package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.agent.replay.Replay;
import io.jitsparse.agent.replay.SampledBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner actor against probes playing the replay and the policy publisher: it publishes every
 * {@code publish-interval} updates, sends the batch's priorities back, checkpoints every {@code
 * checkpoint-interval} updates, and a new learner on the same folder resumes from that checkpoint.
 * Its gauges survive garbage collection (Micrometer holds a gauge's object weakly).
 */
class LearnerActorTest {

  private static final ActorTestKit KIT =
      ActorTestKit.create("LearnerActorTest", ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int BATCH = 16;
  private static final int PUBLISH_INTERVAL = 2;
  private static final int CHECKPOINT_INTERVAL = 3;
  private static final int GC_ATTEMPTS = 20;

  @TempDir Path out;

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private LearnerSettings settings() {
    Config c =
        ConfigFactory.parseMap(
                Map.of(
                    "learner-batch-size", BATCH,
                    "min-replay-size", BATCH,
                    "publish-interval", PUBLISH_INTERVAL,
                    "checkpoint-interval", CHECKPOINT_INTERVAL,
                    "hidden-sizes", java.util.List.of(16),
                    "out", out.toString()))
            .withFallback(ConfigFactory.load().getConfig("jitsparse.agent-node"));
    return LearnerSettings.read(c);
  }

  /** Answers the learner's next sample request with a fixed batch; returns the priorities sent. */
  private static Replay.UpdatePriorities serve(TestProbe<Replay.Command> replay, SampledBatch b) {
    Replay.Sample ask = replay.expectMessageClass(Replay.Sample.class, WAIT);
    assertEquals(BATCH, ask.batchSize());
    ask.replyTo().tell(new Replay.Sampled(b));
    return replay.expectMessageClass(Replay.UpdatePriorities.class, WAIT);
  }

  private static long publishedVersion(TestProbe<PolicyPublisher.Command> publisher) {
    var p = publisher.expectMessageClass(PolicyPublisher.Publish.class, WAIT);
    // the snapshot is a readable Q-network
    QFunction.fromBytes(p.snapshot().getParameters().toByteArray());
    return p.snapshot().getVersion();
  }

  @Test
  void publishesCheckpointsAndResumes() throws java.io.IOException {
    LearnerSettings s = settings();
    SampledBatch batch = QNetworkTest.batch(new SplittableRandom(1), BATCH, 0.9f);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TestProbe<Replay.Command> replay = KIT.createTestProbe(Replay.Command.class);
    TestProbe<PolicyPublisher.Command> publisher =
        KIT.createTestProbe(PolicyPublisher.Command.class);
    ActorRef<Learner.Command> learner =
        KIT.spawn(Learner.create(s, "actor-test", replay.ref(), publisher.ref(), meters));
    assertEquals(1, publishedVersion(publisher), "a fresh learner publishes its initial network");
    replay.expectMessageClass(Replay.PolicyVersion.class, WAIT);
    for (int update = 1; update <= 2 * CHECKPOINT_INTERVAL; update++) {
      Replay.UpdatePriorities u = serve(replay, batch);
      assertEquals(BATCH, u.priorities().length);
      assertEquals(batch.ids(), u.ids());
      if (update % PUBLISH_INTERVAL == 0) {
        assertEquals(1 + update / PUBLISH_INTERVAL, publishedVersion(publisher));
        assertEquals(
            1 + update / PUBLISH_INTERVAL,
            replay.expectMessageClass(Replay.PolicyVersion.class, WAIT).version());
      }
    }
    // the gauges still read after collections that would clear weakly held lambdas
    collectGarbage();
    assertEquals(4.0, meters.get("jitsparse.agent.policy.published.version").gauge().value());
    assertTrue(Double.isFinite(meters.get("jitsparse.agent.learner.loss").gauge().value()));
    assertTrue(Double.isFinite(meters.get("jitsparse.agent.learner.q.mean").gauge().value()));
    assertEquals(6.0, meters.get("jitsparse.agent.learner.updates").counter().count());

    // checkpoints at 3 and 6 updates; stop without waiting for the shutdown checkpoint
    var checkpoints = s.checkpointDir().orElseThrow();
    replay.expectMessageClass(Replay.Sample.class, WAIT);
    KIT.stop(learner, WAIT);
    TestProbe<Replay.Command> replay2 = KIT.createTestProbe(Replay.Command.class);
    TestProbe<PolicyPublisher.Command> publisher2 =
        KIT.createTestProbe(PolicyPublisher.Command.class);
    KIT.spawn(
        Learner.create(
            s, "actor-test", replay2.ref(), publisher2.ref(), new SimpleMeterRegistry()));
    assertEquals(4, publishedVersion(publisher2), "the resumed learner republishes its version");
    replay2.expectMessageClass(Replay.PolicyVersion.class, WAIT);
    serve(replay2, batch);
    serve(replay2, batch);
    assertEquals(5, publishedVersion(publisher2), "and carries on counting");
    assertTrue(
        LearnerCheckpoint.files(checkpoints).stream()
            .anyMatch(p -> LearnerCheckpoint.updatesOf(p) == 2 * CHECKPOINT_INTERVAL),
        "checkpoint at 6 updates");
  }

  /** Runs the collector until an unreachable object is gone (bounded; no sleeping). */
  private static void collectGarbage() {
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    for (int i = 0; i < GC_ATTEMPTS && sentinel.get() != null; i++) {
      System.gc();
    }
    assertTrue(sentinel.get() == null, "the collector ran");
  }
}
