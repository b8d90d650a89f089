package io.jitsparse.agent.learner;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.ReplayStatsQuery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A learner part that stops (as a failed creation would stop it) makes the gateway fail, so its
 * supervisor starts the learner again: the replay answers statistics queries again, where a gateway
 * that ignored the loss would forward them to a dead replay for good.
 */
class LearnerGatewaySupervisionTest {

  private static final ActorTestKit KIT =
      ActorTestKit.create("LearnerGatewaySupervisionTest", ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration ANSWER = Duration.ofSeconds(1);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aStoppedReplayRestartsTheLearner() {
    AgentSettings s = AgentSettings.create(KIT.system().settings().config());
    ActorRef<Message> gateway =
        KIT.spawn(
            Behaviors.supervise(LearnerGateway.create(s, "supervision", new SimpleMeterRegistry()))
                .onFailure(SupervisorStrategy.restart()),
            "learner");
    TestProbe<Message> stats = KIT.createTestProbe(Message.class);
    Message query =
        ReplayStatsQuery.newBuilder()
            .setReplyTo(ActorRefResolver.get(KIT.system()).toSerializationFormat(stats.ref()))
            .build();
    gateway.tell(query);
    stats.expectMessageClass(ReplayStats.class, WAIT);

    Adapter.toClassic(KIT.system())
        .actorSelection(gateway.path().child("replay"))
        .tell(PoisonPill.getInstance(), null);

    stats.awaitAssert(
        WAIT,
        () -> {
          gateway.tell(query);
          stats.expectMessageClass(ReplayStats.class, ANSWER);
          return null;
        });
  }
}
