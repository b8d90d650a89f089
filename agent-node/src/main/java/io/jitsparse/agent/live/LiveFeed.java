package io.jitsparse.agent.live;

import com.google.protobuf.Message;
import io.jitsparse.monitoring.live.LiveBoard;
import io.jitsparse.monitoring.live.Member;
import io.jitsparse.monitoring.live.TrainerInfo;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.StepState;
import io.jitsparse.protocol.v1.StepStateBatch;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.UnsubscribeStepStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Fills an agent-node's {@link LiveBoard} (the live page): learns of every trainer this node's
 * registry serves ({@link TrainerJoined} on the event stream), subscribes to its step states and
 * writes the {@code StepStateBatch}es it sends; writes every finished episode ({@link
 * EpisodeEnded}) to the learning curve; keeps the members table from cluster events. Nothing waits
 * on a trainer: a subscription that gets no answer is simply sent again every {@code
 * resubscribe-interval}, and a trainer is forgotten (and unsubscribed) when its explorer stops.
 */
public final class LiveFeed extends AbstractBehavior<LiveFeed.Command> {

  /** What the feed handles; the public ones arrive through the actor system's event stream. */
  public sealed interface Command extends LocalCommand
      permits TrainerJoined,
          EpisodeEnded,
          Wire,
          MemberChanged,
          ReachabilityChanged,
          ExplorerGone,
          ResubscribeTick {}

  private record Wire(Message message) implements Command {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record ExplorerGone(String trainerId, ActorRef<?> explorer) implements Command {}

  private record ResubscribeTick() implements Command {}

  /** Pekko gives every member a {@code dc-<data center>} role; the page shows the others. */
  private static final String DATA_CENTER_ROLE_PREFIX = "dc-";

  private static final class Shown {
    final ActorRef<Message> trainer;
    final ActorRef<?> explorer;
    long lastHeardNanos;

    Shown(ActorRef<Message> trainer, ActorRef<?> explorer, long now) {
      this.trainer = trainer;
      this.explorer = explorer;
      this.lastHeardNanos = now;
    }
  }

  private final LiveBoard board;
  private final TimerScheduler<Command> timers;
  private final Duration resubscribeInterval;
  private final ActorRefResolver resolver;
  private final SubscribeStepStates subscribe;
  private final UnsubscribeStepStates unsubscribe;
  private final Address self;
  private final Map<String, Shown> shown = new HashMap<>();
  private final Map<Address, org.apache.pekko.cluster.Member> members = new HashMap<>();
  private final Set<Address> unreachable = new HashSet<>();
  private boolean warnedFull;

  /**
   * Spawns the feed under {@code parent} and subscribes it to {@link TrainerJoined} and {@link
   * EpisodeEnded} at once, so that no event published after this call returns is missed (the
   * registry is spawned after it).
   */
  public static ActorRef<Command> spawn(ActorContext<?> parent, LiveBoard board, String name) {
    ActorRef<Command> feed = parent.spawn(create(board), name);
    var events = parent.getSystem().eventStream();
    events.tell(new EventStream.Subscribe<>(TrainerJoined.class, feed.narrow()));
    events.tell(new EventStream.Subscribe<>(EpisodeEnded.class, feed.narrow()));
    return feed;
  }

  /** The feed's behavior; it does not subscribe to the event stream itself (see {@link #spawn}). */
  public static Behavior<Command> create(LiveBoard board) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LiveFeed(ctx, timers, board)));
  }

  private LiveFeed(ActorContext<Command> ctx, TimerScheduler<Command> timers, LiveBoard board) {
    super(ctx);
    this.board = board;
    this.timers = timers;
    this.resubscribeInterval = board.settings().resubscribeInterval();
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    String selfRef = resolver.toSerializationFormat(ctx.messageAdapter(Message.class, Wire::new));
    this.subscribe = SubscribeStepStates.newBuilder().setSubscriberRef(selfRef).build();
    this.unsubscribe = UnsubscribeStepStates.newBuilder().setSubscriberRef(selfRef).build();
    Cluster cluster = Cluster.get(ctx.getSystem());
    this.self = cluster.selfMember().address();
    // Both subscriptions start with the current state as events.
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
                ClusterEvent.MemberEvent.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
    timers.startSingleTimer(new ResubscribeTick(), resubscribeInterval);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(TrainerJoined.class, this::onJoined)
        .onMessage(EpisodeEnded.class, this::onEpisodeEnded)
        .onMessage(Wire.class, this::onWire)
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
        .onMessage(ExplorerGone.class, this::onExplorerGone)
        .onMessage(ResubscribeTick.class, t -> onResubscribeTick())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onJoined(TrainerJoined j) {
    TrainerDescription d = j.trainer();
    String id = d.getTrainerId();
    if (d.getSimulated()) {
      // The load generator's trainers do not train: they have no step states to show.
      return this;
    }
    if (!board.addTrainer(info(d))) {
      if (!warnedFull) {
        warnedFull = true;
        getContext()
            .getLog()
            .info(
                "live page: showing {} trainers at most (jitsparse.live.max-trainers); {} and"
                    + " later ones are not shown",
                board.settings().maxTrainers(),
                id);
      }
      return this;
    }
    ActorRef<Message> trainer = resolver.resolveActorRef(j.trainerRef());
    Shown old = shown.get(id);
    if (old != null && !old.explorer.equals(j.explorer())) {
      getContext().unwatch(old.explorer);
    }
    if (old == null || !old.explorer.equals(j.explorer())) {
      getContext().watchWith(j.explorer(), new ExplorerGone(id, j.explorer()));
    }
    if (old != null && !old.trainer.equals(trainer)) {
      old.trainer.tell(unsubscribe);
    }
    shown.put(id, new Shown(trainer, j.explorer(), System.nanoTime()));
    trainer.tell(subscribe);
    getContext().getLog().debug("live page: subscribed to the step states of {}", id);
    return this;
  }

  private static TrainerInfo info(TrainerDescription d) {
    List<TrainerInfo.Layer> layers = new ArrayList<>(d.getLayersCount());
    for (LayerFeatures l : d.getLayersList()) {
      String kind = l.getKind() == LayerKind.LAYER_KIND_CONV ? "conv" : "dense";
      layers.add(new TrainerInfo.Layer(l.getIndex(), kind, l.getParameterCount()));
    }
    return new TrainerInfo(
        d.getTrainerId(),
        d.getNode(),
        d.getModel(),
        d.getTargetDensity(),
        d.getEpisodeSteps(),
        layers);
  }

  private Behavior<Command> onWire(Wire w) {
    if (!(w.message() instanceof StepStateBatch batch)) {
      getContext()
          .getLog()
          .debug("live feed ignored {}", w.message().getDescriptorForType().getFullName());
      return this;
    }
    long now = System.nanoTime();
    for (StepState s : batch.getStatesList()) {
      Shown t = shown.get(s.getTrainerId());
      if (t == null) {
        continue;
      }
      t.lastHeardNanos = now;
      double[] densities = new double[s.getLayerDensitiesCount()];
      for (int i = 0; i < densities.length; i++) {
        densities[i] = s.getLayerDensities(i);
      }
      board.addStep(
          s.getTrainerId(), s.getEpisode(), s.getStep(), s.getLoss(), s.getAccuracy(), densities);
    }
    return this;
  }

  private Behavior<Command> onEpisodeEnded(EpisodeEnded e) {
    EpisodeSummary s = e.summary();
    // An aborted episode's return covers part of an episode: it would bend the curve.
    if (!s.getAborted()) {
      board.addEpisode(
          s.getTrainerId(),
          s.getEpisode(),
          s.getReturn(),
          s.getTestAccuracy(),
          s.getGlobalDensity(),
          s.getPolicyVersion());
    }
    return this;
  }

  private Behavior<Command> onExplorerGone(ExplorerGone g) {
    Shown t = shown.get(g.trainerId());
    if (t != null && t.explorer.equals(g.explorer())) {
      shown.remove(g.trainerId());
      t.trainer.tell(unsubscribe);
      board.removeTrainer(g.trainerId());
      getContext().getLog().debug("live page: forgot {} (its explorer stopped)", g.trainerId());
    }
    return this;
  }

  private Behavior<Command> onResubscribeTick() {
    long now = System.nanoTime();
    for (Shown t : shown.values()) {
      if (now - t.lastHeardNanos >= resubscribeInterval.toNanos()) {
        t.trainer.tell(subscribe);
      }
    }
    timers.startSingleTimer(new ResubscribeTick(), resubscribeInterval);
    return this;
  }

  private Behavior<Command> onMemberChanged(MemberChanged m) {
    org.apache.pekko.cluster.Member member = m.event().member();
    if (m.event() instanceof ClusterEvent.MemberRemoved) {
      members.remove(member.address());
      unreachable.remove(member.address());
    } else {
      members.put(member.address(), member);
    }
    publishMembers();
    return this;
  }

  private Behavior<Command> onReachabilityChanged(ReachabilityChanged r) {
    Address a = r.event().member().address();
    if (r.event() instanceof ClusterEvent.UnreachableMember) {
      unreachable.add(a);
    } else {
      unreachable.remove(a);
    }
    publishMembers();
    return this;
  }

  private void publishMembers() {
    List<Member> rows = new ArrayList<>(members.size());
    for (org.apache.pekko.cluster.Member m : members.values()) {
      List<String> roles =
          m.getRoles().stream()
              .filter(r -> !r.startsWith(DATA_CENTER_ROLE_PREFIX))
              .sorted()
              .toList();
      rows.add(
          new Member(
              m.address().toString(),
              roles,
              m.status().toString(),
              !unreachable.contains(m.address()),
              m.address().equals(self)));
    }
    board.setMembers(rows);
  }

  private Behavior<Command> onStop() {
    // Trainers keep building batches for every subscriber: tell them we are gone.
    shown.values().forEach(t -> t.trainer.tell(unsubscribe));
    return this;
  }
}
