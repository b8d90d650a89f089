package io.jitsparse.env.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.WireForwarder;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.ReplayStatsQuery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A whole load run against a fake agent in a cluster of one (the learner is a singleton). */
class LoadGeneratorTest {

  private static final Config CONFIG = ConfigFactory.load("loadgen-test.conf");

  private static final ActorTestKit KIT =
      ActorTestKit.create(
          "loadgen-cluster", CONFIG.getConfig("loadgen-cluster").withFallback(CONFIG));

  private static final long TRANSITIONS_PER_QUERY = 10;

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** Answers every ReplayStatsQuery with transitions_received growing by 10 per query. */
  private static Behavior<Message> fakeLearner() {
    return Behaviors.setup(
        ctx -> {
          ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
          long[] received = {0};
          return Behaviors.receive(Message.class)
              .onMessage(
                  ReplayStatsQuery.class,
                  q -> {
                    received[0] += TRANSITIONS_PER_QUERY;
                    resolver
                        .<Message>resolveActorRef(q.getReplyTo())
                        .tell(ReplayStats.newBuilder().setTransitionsReceived(received[0]).build());
                    return Behaviors.same();
                  })
              .build();
        });
  }

  @Test
  void measuresAWindowAndReportsRoundTripsRatesAndReplayGrowth() {
    Cluster cluster = Cluster.get(KIT.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    // the real agent-node starts the learner; the load generator's init then only gets the proxy
    ClusterSingleton.get(KIT.system())
        .init(
            SingletonActor.of(fakeLearner(), ServiceKeys.LEARNER_SINGLETON)
                .withSettings(
                    ClusterSingletonSettings.create(KIT.system())
                        .withRole(ServiceKeys.AGENT_ROLE)));
    ActorRef<Message> agent = KIT.spawn(FakeAgent.create(new AtomicBoolean(false)));
    KIT.system()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.TRAINER_REGISTRY, KIT.spawn(WireForwarder.create(agent))));

    LoadgenSettings settings =
        LoadgenSettings.create(
            ConfigFactory.parseString(
                    "jitsparse.loadgen { trainers = 4, interval = 100ms, warmup = 500ms,"
                        + " duration = 1s, episode-decisions = 4, node-name = lgtest }")
                .withFallback(ConfigFactory.load()));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TestProbe<LoadReport> reports = KIT.createTestProbe(LoadReport.class);
    KIT.spawn(LoadGenerator.create(settings, meters, reports.ref()));

    // ND4J loads once to read the layer shapes: allow for it
    LoadReport r = reports.expectMessageClass(LoadReport.class, Duration.ofSeconds(60));
    assertEquals(4, r.trainers());
    assertEquals(4, r.registered());
    assertEquals(0.1, r.intervalS(), 1e-9);
    assertEquals(1.0, r.durationS(), 0.3);
    // 4 trainers x 10 decisions per second over about a second
    assertTrue(
        r.observations() >= 25 && r.observations() <= 60, "observations " + r.observations());
    assertEquals(r.observations() / r.durationS(), r.observationsPerS(), 1e-6);
    assertTrue(r.rttSamples() > 0);
    assertTrue(r.rttP50Ms() > 0 && r.rttP50Ms() <= r.rttP99Ms() && r.rttP99Ms() <= r.rttMaxMs());
    assertEquals(TRANSITIONS_PER_QUERY, r.transitionsReachingReplay());
    assertEquals(0, r.dropped());
    assertTrue(r.episodes() > 0);
    assertTrue(meters.get("jitsparse.loadgen.observations").functionCounter().count() > 0);

    String json = r.toJson();
    assertTrue(json.contains("\"rtt_p99_ms\""), json);
    assertTrue(json.contains("\"observations_per_s\""), json);
    assertTrue(json.contains("\"transitions_reaching_replay\""), json);
    assertEquals(r, LoadReport.fromJson(json));
  }

  @Test
  void settingsErrorsNameTheKey() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                LoadgenSettings.create(
                    ConfigFactory.parseString("jitsparse.loadgen.episode-decisions = 1")
                        .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("jitsparse.loadgen.episode-decisions"), e.getMessage());
    LoadgenSettings s =
        LoadgenSettings.create(
            ConfigFactory.parseString("jitsparse.loadgen.models = \"resnet18, lenet5-caffe\"")
                .withFallback(ConfigFactory.load()));
    assertEquals("resnet18", s.model(0));
    assertEquals("lenet5-caffe", s.model(1));
    assertEquals("loadgen-sim-3", s.trainerId(3));
  }
}
