package io.jitsparse.env.trainer;

import com.google.protobuf.Message;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.link.AgentLink;
import io.jitsparse.env.link.PekkoTransport;
import io.jitsparse.env.node.EpisodeJournal;
import io.jitsparse.env.train.NonFiniteLossException;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.jitsparse.protocol.v1.UnsubscribeStepStates;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One env-node trainer: trains a sparse network episode after episode and lets the agent steer its
 * per-layer densities (docs/cluster.md, flows 1 to 5 and 8).
 *
 * <p>It advances exactly one training step per self-sent {@code Step} message and never loops
 * inside a message, so registration replies, actions, acknowledgements and {@link Stop} are handled
 * between steps. A step blocks its thread for the whole DL4J computation, which is why {@code
 * EnvNode} spawns trainers on the dedicated {@code jitsparse.trainer-dispatcher} (a fixed pool, one
 * thread per trainer, throughput 1) and never on the default dispatcher that cluster heartbeats and
 * the receptionist need.
 *
 * <p>Every {@code decision-interval} steps it applies the newest valid action of the current
 * episode through its {@link BudgetWall} (or its fallback schedule while the agent is unreachable)
 * and sends an {@link Observation}; unacknowledged observations are resent after {@code
 * ack-timeout}. At the end of an episode it evaluates the test set, writes the episode to the
 * {@link EpisodeJournal} and sends an {@link EpisodeSummary} to its explorer (kept in a bounded
 * outbox until acknowledged). Invalid input is logged, counted and dropped; a diverged loss aborts
 * the episode, not the actor.
 *
 * <p>The actor is a shell: the protocol state (registration, observation window, summary outbox)
 * lives in an {@link AgentLink}, actions wait in an {@link ActionInbox}, the messages of an episode
 * are built by {@link EpisodeReport} and step states go out through a {@link StepStatePublisher};
 * the actor owns the timers, the meters, the logs and the order of training.
 */
public final class Trainer extends AbstractBehavior<Trainer.Command> {

  /** The trainer's commands; none leaves this JVM. */
  public sealed interface Command extends LocalCommand
      permits Step, Wire, ListingUpdate, RegisterTick, ResendTick, DrainTimeout, Stop {}

  /** Train one step (self-sent). */
  private record Step() implements Command {}

  /**
   * A protobuf message from the wire, through the trainer's message adapter.
   *
   * @param msg the message
   */
  public record Wire(Message msg) implements Command {}

  /** The registry listing changed. */
  private record ListingUpdate(Receptionist.Listing listing) implements Command {}

  /** Resend the registration. */
  private record RegisterTick() implements Command {}

  /** Resend unacknowledged observations and summaries that are due. */
  private record ResendTick() implements Command {}

  /** Stop waiting for the last summaries' acknowledgements. */
  private record DrainTimeout() implements Command {}

  /**
   * Stop gracefully: the episode in progress is journaled as aborted ("shutdown") and {@code
   * replyTo} gets {@link Done} once that line is on disk (at once when no episode is running).
   *
   * @param replyTo told when the trainer is done
   */
  public record Stop(ActorRef<Done> replyTo) implements Command {}

  private static final Object REGISTER_TIMER = "register";
  private static final Object RESEND_TIMER = "resend";

  private final TrainerSettings s;
  private final int index;
  private final String trainerId;
  private final String node;
  private final ActorRef<EpisodeJournal.Command> journal;
  private final Supplier<FashionMnist> data;
  private final TimerScheduler<Command> timers;
  private final ActorRef<Message> wire;
  private final ActorRefResolver resolver;
  private final TrainerMeters meters;
  private final AgentLink<ActorRef<Message>> link;
  private final StepStatePublisher stepStates;
  private boolean dropWarned;

  /** Whether this outage's first dropped summary was logged; the agent's next ack resets it. */
  private boolean summaryDropWarned;

  private final ActionInbox actions;

  /** Known once the first network is built; registration waits for it. */
  private List<LayerFeatures> staticLayers;

  private long episodeIndex;

  /** The episode in progress; null between episodes. */
  private Episode episode;

  private boolean finished;

  /**
   * The trainer's behavior.
   *
   * @param s the node's trainer settings
   * @param index the trainer's index on its node
   * @param trainerId the cluster-unique id {@code <node>-<index>} (episode seeds derive from it)
   * @param journal where episodes are appended
   * @param meters where the trainer's meters are registered (tagged {@code trainer})
   * @param node the (sanitized) node name, reported in the trainer description
   * @param data the node's shared data set, loaded on first use on this trainer's thread
   */
  public static Behavior<Command> create(
      TrainerSettings s,
      int index,
      String trainerId,
      ActorRef<EpisodeJournal.Command> journal,
      MeterRegistry meters,
      String node,
      Supplier<FashionMnist> data) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> new Trainer(ctx, timers, s, index, trainerId, journal, meters, node, data)));
  }

  private Trainer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      TrainerSettings s,
      int index,
      String trainerId,
      ActorRef<EpisodeJournal.Command> journal,
      MeterRegistry registry,
      String node,
      Supplier<FashionMnist> data) {
    super(ctx);
    if (!MessageChecks.TRAINER_ID.matcher(trainerId).matches()) {
      throw new IllegalArgumentException("trainer id '" + trainerId + "' is not file-name safe");
    }
    this.s = s;
    this.index = index;
    this.trainerId = trainerId;
    this.node = node;
    this.journal = journal;
    this.data = data;
    this.timers = timers;
    this.meters = new TrainerMeters(registry, trainerId, s.model(), s.density());
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.wire = ctx.messageAdapter(Message.class, Wire::new);
    this.link =
        new AgentLink<>(
            trainerId,
            new AgentLink.Limits(
                s.maxUnackedObservations(), s.maxPendingSummaries(), s.ackTimeout()),
            new PekkoTransport(ctx.getSystem()));
    this.stepStates = new StepStatePublisher(trainerId, s.stepStateBatch());
    this.actions = new ActionInbox(trainerId);
    ActorRef<Receptionist.Listing> listings =
        ctx.messageAdapter(Receptionist.Listing.class, ListingUpdate::new);
    ctx.getSystem()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.TRAINER_REGISTRY, listings));
    timers.startSingleTimer(RESEND_TIMER, new ResendTick(), resendPeriod());
    ctx.getSelf().tell(new Step());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Step.class, m -> onStep())
        .onMessage(Wire.class, this::onWire)
        .onMessage(ListingUpdate.class, this::onListing)
        .onMessage(RegisterTick.class, m -> onRegisterTick())
        .onMessage(ResendTick.class, m -> onResendTick())
        .onMessage(DrainTimeout.class, m -> finish())
        .onMessage(Stop.class, this::onStop)
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Training

  private Behavior<Command> onStep() {
    if (finished) {
      return this;
    }
    if (episode == null) {
      startEpisode();
      boundary();
      getContext().getSelf().tell(new Step());
      return this;
    }
    io.jitsparse.env.train.StepState st;
    try {
      st = episode.step();
    } catch (NonFiniteLossException e) {
      getContext()
          .getLog()
          .warn("{}: episode {} aborted: {}", trainerId, episodeIndex, e.getMessage());
      send(episode.aborted(System.nanoTime()));
      return endEpisode(true, "non-finite loss " + e.getMessage());
    }
    meters.stepped(st, episode.batchSize());
    if (episode.atBoundary()) {
      double[] after = boundary();
      // A live view shows the densities the decision at this step left, so that a move appears at
      // the step that made it and the episode's last state is its final (target) densities.
      stepStates.record(episodeIndex, st.withDensities(after));
      if (episode.finished()) {
        return endEpisode(false, "");
      }
    } else {
      stepStates.record(episodeIndex, st);
    }
    getContext().getSelf().tell(new Step());
    return this;
  }

  private void startEpisode() {
    episode =
        new Episode(s, trainerId, episodeIndex, s.episodeSeed(trainerId, episodeIndex), data.get());
    actions.startEpisode();
    if (staticLayers == null) {
      staticLayers = episode.staticLayers();
      meters.layers(staticLayers.size());
      link.describe(
          RegisterTrainer.newBuilder()
              .setTrainer(s.description(trainerId, node, staticLayers))
              .setTrainerRef(resolver.toSerializationFormat(wire))
              .build());
      link.register();
    }
  }

  /**
   * A decision boundary: the newest action, else the fallback schedule while the agent is
   * unreachable, else the current densities; then the observation goes out. Returns the per-layer
   * densities the boundary left.
   */
  private double[] boundary() {
    Optional<SparsityAction> action = actions.take();
    boolean unreachable = link.unreachable(System.nanoTime(), s.agentTimeout());
    if (action.isPresent()) {
      meters.applied.increment();
    } else if (unreachable) {
      meters.fallback.increment();
    }
    Observation o = episode.boundary(action, unreachable, System.nanoTime());
    double[] after = episode.densities();
    meters.boundary(after, o);
    send(o);
    return after;
  }

  private void send(Observation o) {
    link.send(o, System.nanoTime())
        .ifPresent(
            dropped -> {
              meters.observationsDropped.increment();
              // Once per silence of the agent: without one, every decision would log a drop. The
              // counter (jitsparse_trainer_observations_dropped_total) keeps the full count.
              if (!dropWarned) {
                dropWarned = true;
                getContext()
                    .getLog()
                    .warn(
                        "{}: unacknowledged window full, dropping the oldest observations from"
                            + " {}/{} on until the agent acknowledges again",
                        trainerId,
                        dropped.getEpisode(),
                        dropped.getDecision());
              }
            });
    actions.observed(o.getDecision());
  }

  private Behavior<Command> endEpisode(boolean aborted, String reason) {
    stepStates.flush();
    EpisodeSummary summary = episode.summary(runId(), aborted, reason);
    meters.episodeEnded(summary);
    journal.tell(new EpisodeJournal.Append(summary, null));
    link.queueSummary(summary, System.nanoTime())
        .ifPresent(
            dropped -> {
              meters.summariesDropped.increment();
              // once per outage, not once per episode: the counter has the number
              if (!summaryDropWarned) {
                summaryDropWarned = true;
                getContext()
                    .getLog()
                    .warn(
                        "{}: summary outbox full ({} summaries kept for the agent,"
                            + " max-pending-summaries): dropping the oldest from episode {} on,"
                            + " counted in jitsparse_trainer_summaries_dropped_total",
                        trainerId,
                        s.maxPendingSummaries(),
                        dropped.getEpisode());
              }
            });
    episode.close();
    episode = null;
    episodeIndex++;
    if (s.episodes() > 0 && episodeIndex >= s.episodes()) {
      finished = true;
      if (link.pendingSummaries() == 0 || !link.registered()) {
        return finish();
      }
      timers.startSingleTimer(new DrainTimeout(), s.agentTimeout());
      return this;
    }
    // The next episode starts now, not at the next Step: a Stop arriving in between would
    // otherwise find no episode in progress to journal as aborted.
    startEpisode();
    boundary();
    getContext().getSelf().tell(new Step());
    return this;
  }

  private Behavior<Command> finish() {
    // Only a registered trainer deregisters: after a rejection the id may belong to another live
    // trainer, whose explorer must survive.
    if (link.registered()) {
      link.deregister("finished " + s.episodes() + " episodes");
    }
    getContext().getLog().info("{}: finished {} episodes", trainerId, episodeIndex);
    return Behaviors.stopped();
  }

  private Behavior<Command> onStop(Stop stop) {
    if (episode != null) {
      EpisodeSummary summary = episode.summary(runId(), true, "shutdown");
      meters.episodeEnded(summary);
      // The journal confirms to the caller once the line is on disk.
      journal.tell(new EpisodeJournal.Append(summary, stop.replyTo()));
      link.tellOnce(summary);
    } else {
      stop.replyTo().tell(Done.getInstance());
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    meters.close();
    if (episode != null) {
      episode.close();
      episode = null;
    }
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Wire messages

  private Behavior<Command> onWire(Wire w) {
    Message m = w.msg();
    if (m instanceof SparsityAction a) {
      onAction(a);
    } else if (m instanceof ObservationAck a) {
      acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
    } else if (m instanceof EpisodeSummaryAck a) {
      if (link.ackSummary(a)) {
        summaryDropWarned = false;
      }
      // All episodes done and every summary taken by the agent: nothing left to wait for.
      return finished && link.pendingSummaries() == 0 ? finish() : this;
    } else if (m instanceof TrainerRegistered r) {
      onRegistered(r);
    } else if (m instanceof RegistrationRejected r) {
      getContext().getLog().warn("{}: registration rejected: {}", trainerId, r.getReason());
      meters.registrationsRejected.increment();
      link.onRejected();
      // Retrying would be rejected again; a new registry in the listing registers anew.
      timers.cancel(REGISTER_TIMER);
    } else if (m instanceof SubscribeStepStates sub) {
      if (!stepStates.subscribe(resolver.resolveActorRef(sub.getSubscriberRef()))) {
        getContext().getLog().warn("{}: step-state subscriber limit reached", trainerId);
      }
    } else if (m instanceof UnsubscribeStepStates sub) {
      stepStates.unsubscribe(resolver.resolveActorRef(sub.getSubscriberRef()));
    } else {
      getContext()
          .getLog()
          .warn("{}: ignoring unexpected {}", trainerId, m.getDescriptorForType().getFullName());
    }
    return this;
  }

  private void onAction(SparsityAction a) {
    int layers = staticLayers == null ? 0 : staticLayers.size();
    ActionInbox.Verdict v = actions.offer(a, episodeIndex, episode != null, layers);
    if (v.acknowledges()) {
      acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
    }
    switch (v.outcome()) {
      case STALE -> {
        meters.stale.increment();
        getContext()
            .getLog()
            .debug(
                "{}: stale action of episode {} (now {})", trainerId, a.getEpisode(), episodeIndex);
      }
      case REJECTED -> {
        meters.rejected.increment();
        getContext().getLog().warn("{}: rejected action: {}", trainerId, v.reason());
      }
      case SUPERSEDED -> meters.superseded.increment();
      case REPLACED -> meters.superseded.increment(); // the older action waiting until now
      case PENDING -> {}
    }
  }

  private void acknowledge(long episodeOf, long decisionOf, long sentAt) {
    link.acknowledge(episodeOf, decisionOf, sentAt, System.nanoTime())
        .ifPresent(
            rtt -> {
              meters.latency.record(Duration.ofNanos(rtt));
              dropWarned = false;
            });
  }

  // ---------------------------------------------------------------------------------------------
  // Registration and resends

  private Behavior<Command> onListing(ListingUpdate u) {
    switch (link.onListing(u.listing().getServiceInstances(ServiceKeys.TRAINER_REGISTRY))) {
      case UNCHANGED -> {}
      case NO_REGISTRY -> {
        timers.cancel(REGISTER_TIMER);
        getContext().getLog().info("{}: no trainer registry; following the fallback", trainerId);
      }
      case NEW_REGISTRY -> {
        link.register();
        timers.startTimerWithFixedDelay(REGISTER_TIMER, new RegisterTick(), s.registerRetry());
      }
    }
    return this;
  }

  private Behavior<Command> onRegisterTick() {
    // Keeps ticking while the layers are unknown: the first episode's network may still be built.
    if (link.registered() || !link.hasRegistry()) {
      timers.cancel(REGISTER_TIMER);
    } else {
      link.register();
    }
    return this;
  }

  private void onRegistered(TrainerRegistered r) {
    switch (link.onRegistered(r, System.nanoTime())) {
      case FOREIGN ->
          getContext().getLog().warn("{}: registration reply for {}", trainerId, r.getTrainerId());
      case FRESH -> {
        timers.cancel(REGISTER_TIMER);
        getContext().getLog().info("{}: registered, explorer {}", trainerId, r.getExplorerRef());
      }
      case REPEATED -> timers.cancel(REGISTER_TIMER);
    }
  }

  private Behavior<Command> onResendTick() {
    meters.resent.increment(link.resendDue(System.nanoTime()));
    timers.startSingleTimer(RESEND_TIMER, new ResendTick(), resendPeriod());
    return this;
  }

  private Duration resendPeriod() {
    Duration half = s.ackTimeout().dividedBy(2);
    return half.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : half;
  }

  private String runId() {
    return s.runId().isEmpty() ? link.runId() : s.runId();
  }
}
