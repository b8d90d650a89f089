package io.jitsparse.agent.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.AgentNode;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.monitoring.live.LiveBoard;
import io.jitsparse.monitoring.live.LiveSettings;
import io.jitsparse.monitoring.live.LiveView;
import io.jitsparse.monitoring.live.Member;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.StepState;
import io.jitsparse.protocol.v1.StepStateBatch;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.jitsparse.protocol.v1.UnsubscribeStepStates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Probes play trainers and explorers against the live feed in a cluster of one: the feed subscribes
 * to a trainer it hears of, writes the step states it is sent to the board, asks again when a
 * trainer stays silent, forgets a trainer whose explorer stops, and keeps the members table.
 */
class LiveFeedTest {

  private static final ActorTestKit KIT = ActorTestKit.create("LiveFeedTest", ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int LAYERS = 2;
  private static final Duration RESUBSCRIBE = Duration.ofMillis(300);

  @BeforeAll
  static void join() {
    Cluster cluster = Cluster.get(KIT.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static LiveBoard board() {
    return LiveBoard.create(new LiveSettings(100, 100, 8, Duration.ofSeconds(1), RESUBSCRIBE));
  }

  /**
   * The feed as AgentNode spawns it (subscribed to the event stream before anything publishes),
   * under a parent the test stops at its end: every feed hears every event of the actor system.
   */
  private static ActorRef<Void> feed(LiveBoard board) {
    TestProbe<String> spawned = KIT.createTestProbe();
    Behavior<Void> parent =
        Behaviors.setup(
            ctx -> {
              LiveFeed.spawn(ctx, board, "feed");
              spawned.ref().tell("spawned");
              return Behaviors.empty();
            });
    ActorRef<Void> ref = KIT.spawn(parent);
    spawned.expectMessage(WAIT, "spawned");
    return ref;
  }

  private static String ref(ActorRef<?> r) {
    return ActorRefResolver.get(KIT.system()).toSerializationFormat(r);
  }

  private static <T> ActorRef<T> resolve(String r) {
    return ActorRefResolver.get(KIT.system()).resolveActorRef(r);
  }

  private static RegisterTrainer registration(String id, ActorRef<Message> trainer) {
    TrainerDescription.Builder d =
        TrainerDescription.newBuilder()
            .setTrainerId(id)
            .setNode("env-a")
            .setModel("lenet-300-100")
            .setTargetDensity(0.1)
            .setEpisodeSteps(60)
            .setDecisionInterval(10);
    for (int i = 0; i < LAYERS; i++) {
      d.addLayers(
          LayerFeatures.newBuilder()
              .setIndex(i)
              .setKind(LayerKind.LAYER_KIND_DENSE)
              .setFanIn(100)
              .setFanOut(10)
              .setParameterCount(1000L * (i + 1))
              .setRelativeDepth(i)
              .setDensity(1.0));
    }
    return RegisterTrainer.newBuilder().setTrainer(d).setTrainerRef(ref(trainer)).build();
  }

  private static StepStateBatch steps(String id, long episode, long from, long to, double d) {
    StepStateBatch.Builder b = StepStateBatch.newBuilder();
    for (long s = from; s <= to; s++) {
      StepState.Builder st =
          StepState.newBuilder()
              .setTrainerId(id)
              .setEpisode(episode)
              .setStep(s)
              .setLoss(2.0 / s)
              .setAccuracy(0.5);
      for (int i = 0; i < LAYERS; i++) {
        st.addLayerDensities(d - 0.1 * i);
      }
      b.addStates(st);
    }
    return b.build();
  }

  private static EpisodeSummary summary(String id, long episode, boolean aborted) {
    return EpisodeSummary.newBuilder()
        .setTrainerId(id)
        .setEpisode(episode)
        .setAborted(aborted)
        .setReturn(0.25)
        .setTestAccuracy(0.8)
        .setGlobalDensity(0.1)
        .setPolicyVersion(3)
        .build();
  }

  private static LiveView.TrainerView trainer(LiveBoard board, String id) {
    return board.view(0).trainers().stream()
        .filter(t -> t.info().id().equals(id))
        .findFirst()
        .orElse(null);
  }

  @Test
  void showsTheStepsEpisodesAndMembersOfATrainerUntilItsExplorerStops() {
    LiveBoard board = board();
    ActorRef<Void> feed = feed(board);
    TestProbe<Message> trainer = KIT.createTestProbe(Message.class);
    TestProbe<String> explorer = KIT.createTestProbe();

    TrainerJoined.publish(KIT.system(), registration("t-0", trainer.ref()), explorer.ref());
    SubscribeStepStates sub = trainer.expectMessageClass(SubscribeStepStates.class, WAIT);
    ActorRef<Message> feedWire = resolve(sub.getSubscriberRef());
    assertTrue(board.hasTrainer("t-0"));
    LiveView.TrainerView shown = trainer(board, "t-0");
    assertEquals("lenet-300-100", shown.info().model());
    assertEquals(LAYERS, shown.info().layers().size());
    assertEquals(2000, shown.info().layers().get(1).parameters());

    feedWire.tell(steps("t-0", 0, 1, 5, 0.9));
    feedWire.tell(steps("t-0", 1, 1, 2, 0.5));
    trainer.awaitAssert(
        WAIT,
        () -> {
          LiveView.TrainerView t = trainer(board, "t-0");
          assertNotNull(t.latest());
          assertEquals(1, t.latest().episode());
          assertEquals(2, t.latest().step());
          assertEquals(7, t.latest().globalStep());
          assertEquals(0.4, t.latest().density(1), 1e-6);
          assertEquals(7, t.points().size());
          return t;
        });

    EpisodeEnded.publish(KIT.system(), summary("t-0", 0, false));
    EpisodeEnded.publish(KIT.system(), summary("t-0", 0, false));
    EpisodeEnded.publish(KIT.system(), summary("t-0", 1, true));
    EpisodeEnded.publish(KIT.system(), summary("t-0", 2, false));
    trainer.awaitAssert(
        WAIT,
        () -> {
          LiveView.CurveView c = board.view(0).curve();
          // the repeat and the aborted episode are not on the curve
          assertEquals(2, c.episodes());
          assertEquals(List.of(0L, 2L), c.points().stream().map(p -> p.episode()).toList());
          assertEquals(0.25, c.points().get(0).episodeReturn());
          return c;
        });

    trainer.awaitAssert(
        WAIT,
        () -> {
          List<Member> ms = board.view(0).members();
          assertEquals(1, ms.size());
          Member self = ms.get(0);
          assertTrue(self.self());
          assertTrue(self.reachable());
          assertEquals("Up", self.status());
          assertEquals(List.of("agent"), self.roles(), "no dc- role");
          return self;
        });

    explorer.stop();
    trainer.fishForMessage(
        WAIT,
        m ->
            m instanceof UnsubscribeStepStates u
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
    trainer.awaitAssert(
        WAIT,
        () -> {
          assertFalse(board.hasTrainer("t-0"));
          return true;
        });
    KIT.stop(feed);
  }

  @Test
  void aTrainerThatNeverAnswersIsAskedAgainAndBreaksNothing() {
    LiveBoard board = board();
    ActorRef<Void> feed = feed(board);
    TestProbe<Message> silent = KIT.createTestProbe(Message.class);
    TestProbe<String> explorer = KIT.createTestProbe();
    TrainerJoined.publish(KIT.system(), registration("t-silent", silent.ref()), explorer.ref());
    silent.expectMessageClass(SubscribeStepStates.class, WAIT);
    // asked again after resubscribe-interval of silence, and again
    silent.expectMessageClass(SubscribeStepStates.class, WAIT);
    silent.expectMessageClass(SubscribeStepStates.class, WAIT);
    assertTrue(board.hasTrainer("t-silent"));
    assertEquals(null, trainer(board, "t-silent").latest());
    // a batch of an unknown trainer or with the wrong layer count is dropped, not a failure
    TestProbe<Message> other = KIT.createTestProbe(Message.class);
    TestProbe<String> otherExplorer = KIT.createTestProbe();
    TrainerJoined.publish(KIT.system(), registration("t-1", other.ref()), otherExplorer.ref());
    ActorRef<Message> wire =
        resolve(other.expectMessageClass(SubscribeStepStates.class, WAIT).getSubscriberRef());
    wire.tell(steps("nobody", 0, 1, 3, 0.9));
    wire.tell(
        StepStateBatch.newBuilder()
            .addStates(
                StepState.newBuilder()
                    .setTrainerId("t-1")
                    .setEpisode(0)
                    .setStep(1)
                    .addLayerDensities(1))
            .build());
    wire.tell(steps("t-1", 0, 1, 1, 0.9));
    other.awaitAssert(
        WAIT,
        () -> {
          assertNotNull(trainer(board, "t-1").latest());
          return true;
        });
    assertEquals(1, trainer(board, "t-1").points().size());
    explorer.stop();
    otherExplorer.stop();
    KIT.stop(feed);
  }

  @Test
  void theRegistryAndTheExplorerPublishWhatTheFeedNeeds() {
    LiveBoard board = board();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AgentSettings settings = AgentSettings.create(KIT.system().settings().config());
    ActorRef<AgentNode.Command> node =
        KIT.spawn(AgentNode.create(settings, "test-run", meters, board));

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
    registry.tell(registration("t-reg", trainer.ref()));
    AtomicReference<TrainerRegistered> registered = new AtomicReference<>();
    AtomicReference<SubscribeStepStates> subscribed = new AtomicReference<>();
    trainer.fishForMessage(
        WAIT,
        m -> {
          if (m instanceof TrainerRegistered r) {
            registered.set(r);
          } else if (m instanceof SubscribeStepStates s) {
            subscribed.set(s);
          }
          return registered.get() != null && subscribed.get() != null
              ? FishingOutcomes.complete()
              : FishingOutcomes.continueAndIgnore();
        });
    assertTrue(board.hasTrainer("t-reg"));

    ActorRef<Message> explorer = resolve(registered.get().getExplorerRef());
    explorer.tell(summary("t-reg", 0, false).toBuilder().setRunId("test-run").build());
    trainer.awaitAssert(
        WAIT,
        () -> {
          assertEquals(1, board.view(0).curve().episodes());
          return true;
        });
    KIT.stop(node);
  }
}
