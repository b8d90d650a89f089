package io.jitsparse.agent.learner;

import com.google.protobuf.Message;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.explorer.Explorer;
import io.jitsparse.agent.replay.Replay;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.ReplayStatsQuery;
import io.jitsparse.protocol.v1.SubscribePolicy;
import io.jitsparse.protocol.v1.TransitionBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The learner side of Ape-X (Horgan et al. 2018) as one cluster singleton on the agent role: its
 * wire face takes explorers' protobuf messages (through the singleton proxy) and routes them to the
 * {@link Replay}, the {@link PolicyPublisher}, the {@link Learner} (which trains the Q-network on
 * its own dispatcher) and its {@link EpisodeStats}.
 */
public final class LearnerGateway extends AbstractBehavior<Message> {

  private static final int MAX_EXPLORERS = 100_000;

  private final ActorRefResolver resolver;
  private final ActorRef<Replay.Command> replay;
  private final ActorRef<PolicyPublisher.Command> publisher;
  private final ActorRef<Learner.Command> learner;
  private final EpisodeStats episodes = new EpisodeStats();
  private final Counter episodesReceived;
  private final Counter rejected;
  // trainer id -> ack_to of its explorer's newest batch: where EpisodeSummaryAcks go, because an
  // EpisodeSummary carries no reply ref (explorers send a batch before every summary).
  private final Map<String, String> explorers =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX_EXPLORERS;
        }
      };

  /**
   * Starts the singleton manager on nodes of {@code learner-role} and returns the proxy explorers
   * send to; a failing learner restarts with backoff.
   */
  public static ActorRef<Message> init(
      ActorSystem<?> system, AgentSettings s, String runId, MeterRegistry m) {
    Behavior<Message> learner =
        Behaviors.supervise(create(s, runId, m))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(learner, ServiceKeys.LEARNER_SINGLETON)
                .withSettings(ClusterSingletonSettings.create(system).withRole(s.learnerRole())));
  }

  /**
   * The learner's proxy for nodes without the learner role (the load generator): {@code init} with
   * the same name and role only starts a proxy there. On a node that has the role, {@link #init}
   * must have run first (then this returns its proxy); otherwise the placeholder would be started
   * as the singleton, so it fails loudly instead.
   */
  public static ActorRef<Message> proxy(ActorSystem<?> system) {
    AgentSettings s = AgentSettings.create(system.settings().config());
    Behavior<Message> notHere =
        Behaviors.setup(
            ctx -> {
              throw new IllegalStateException(
                  "learner singleton started from LearnerGateway.proxy: call"
                      + " LearnerGateway.init first on nodes with role "
                      + s.learnerRole());
            });
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(notHere, ServiceKeys.LEARNER_SINGLETON)
                .withSettings(ClusterSingletonSettings.create(system).withRole(s.learnerRole())));
  }

  /** The learner behavior itself (what the singleton runs). */
  public static Behavior<Message> create(AgentSettings s, String runId, MeterRegistry m) {
    return Behaviors.setup(ctx -> new LearnerGateway(ctx, s, runId, m));
  }

  private LearnerGateway(
      ActorContext<Message> ctx, AgentSettings s, String runId, MeterRegistry m) {
    super(ctx);
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.replay =
        ctx.spawn(
            Replay.create(s.replayCapacity(), s.maxBatchTransitions(), s.learning(), m), "replay");
    this.publisher =
        ctx.spawn(
            PolicyPublisher.create(
                PolicyPublisher.handcrafted(s.handcraftedSchedule()),
                s.policyChunkSize(),
                s.policyResubscribeInterval().multipliedBy(3)),
            "policy");
    this.learner =
        ctx.spawn(
            Learner.create(s.learning(), runId, replay, publisher, m),
            "learner",
            Learner.dispatcher());
    this.episodesReceived =
        Counter.builder("jitsparse.agent.learner.episodes")
            .description("episode summaries the learner received")
            .register(m);
    this.rejected =
        Counter.builder("jitsparse.agent.learner.messages.rejected")
            .description("malformed messages the learner's gateway refused")
            .register(m);
    // A part that stops (its creation or a message failed) leaves a learner that cannot learn:
    // failing the gateway restarts all three with backoff (init), resuming from the newest
    // checkpoint, instead of running on with zero updates.
    ctx.watch(replay);
    ctx.watch(publisher);
    ctx.watch(learner);
    ctx.getLog().info("learner started on {}", ctx.getSystem().address());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(TransitionBatch.class, this::onBatch)
        .onMessage(EpisodeSummary.class, this::onSummary)
        .onMessage(SubscribePolicy.class, this::onSubscribe)
        .onMessage(ReplayStatsQuery.class, this::onStatsQuery)
        .onMessage(Message.class, this::onUnexpected)
        .onSignal(
            Terminated.class,
            t -> {
              throw new LearnerPartStopped(t.getRef().path().name());
            })
        .build();
  }

  /** One of the learner's parts (replay, policy publisher, learner) stopped: the gateway fails. */
  static final class LearnerPartStopped extends IllegalStateException {
    LearnerPartStopped(String part) {
      super(
          "the learner's "
              + part
              + " stopped (its error is logged above); restarting the learner with backoff");
    }
  }

  private Behavior<Message> onBatch(TransitionBatch b) {
    if (!b.getAckTo().isEmpty()) {
      explorers.put(Explorer.trainerOf(b.getExplorerId()), b.getAckTo());
    }
    replay.tell(new Replay.Store(b));
    return this;
  }

  private Behavior<Message> onSummary(EpisodeSummary s) {
    if (episodes.add(s.getTrainerId(), s.getEpisode(), s.getReturn())) {
      episodesReceived.increment();
      learner.tell(new Learner.EpisodeEnded(s));
    }
    String ackTo = explorers.get(s.getTrainerId());
    if (ackTo == null) {
      // Taken, but not answerable yet: the explorer re-forwards after a batch reaches us.
      getContext()
          .getLog()
          .debug("summary of {} before any batch of its explorer", s.getTrainerId());
      return this;
    }
    ActorRef<Message> to = resolver.resolveActorRef(ackTo);
    to.tell(
        EpisodeSummaryAck.newBuilder()
            .setTrainerId(s.getTrainerId())
            .setEpisode(s.getEpisode())
            .build());
    return this;
  }

  private Behavior<Message> onSubscribe(SubscribePolicy s) {
    publisher.tell(new PolicyPublisher.Subscribe(s));
    return this;
  }

  private Behavior<Message> onStatsQuery(ReplayStatsQuery q) {
    if (q.getReplyTo().isEmpty()) {
      return onUnexpected(q);
    }
    ActorRef<Message> replyTo = resolver.resolveActorRef(q.getReplyTo());
    ReplayStats partial =
        ReplayStats.newBuilder()
            .setEpisodesReceived(episodes.count())
            .setMeanReturn(episodes.meanReturn())
            .build();
    ActorRef<PolicyPublisher.Command> pub = publisher;
    replay.tell(
        new Replay.FillStats(
            partial, r -> pub.tell(new PolicyPublisher.FillStats(r, replyTo::tell))));
    return this;
  }

  private Behavior<Message> onUnexpected(Message m) {
    rejected.increment();
    getContext()
        .getLog()
        .warn("learner rejected an unexpected {}", m.getDescriptorForType().getFullName());
    return this;
  }
}
