package io.jitsparse.env.loadgen;

import com.google.protobuf.Message;
import io.jitsparse.env.link.AgentLink;
import io.jitsparse.env.link.PekkoTransport;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerRegistered;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A trainer that trains nothing: it speaks the trainers' wire protocol of docs/cluster.md
 * (registration through the receptionist, one {@link Observation} per interval with an
 * unacknowledged window, resends and drop-oldest, {@link EpisodeSummary} at every episode end) with
 * {@link SyntheticObservations}, so that an agent's explorers do exactly the work real trainers
 * give them. The protocol state lives in the same {@link AgentLink} the real trainer uses. It
 * records every observation's round trip (send to first acknowledgement) in the shared {@link
 * LatencyRecorder} and counts what it drops in the shared {@link LoadCounters}.
 */
public final class SimulatedTrainer extends AbstractBehavior<SimulatedTrainer.Command> {

  /** What the trainer handles; wire messages arrive wrapped by its message adapter. */
  public sealed interface Command extends LocalCommand
      permits Wire, Stop, Listing, DecisionTick, ResendTick, RegisterTick {}

  /** A protobuf message from the registry or the explorer. */
  public record Wire(Message message) implements Command {}

  /** Deregisters and stops (the end of a load run). */
  public record Stop() implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private record DecisionTick() implements Command {}

  private record ResendTick() implements Command {}

  private record RegisterTick() implements Command {}

  private static final Object DECISION_TIMER = "decision";
  private static final Object RESEND_TIMER = "resend";
  private static final Object REGISTER_TIMER = "register";

  private final TimerScheduler<Command> timers;
  private final LoadgenSettings settings;
  private final SyntheticObservations synthetic;
  private final LatencyRecorder recorder;
  private final LoadCounters counters;
  private final String trainerId;
  private final long intervalNanos;
  private final AgentLink<ActorRef<Message>> link;

  /** This trainer's share of the shared gauges, last reported (see {@link #reportGauges()}). */
  private int reportedUnacked;

  private boolean reportedRegistered;
  private long policyVersion;
  private long episode;
  private int decision;
  private long lastDecisionSent = -1;
  private long nextDecisionAt;
  private boolean warnedDrop;
  private boolean warnedReject;

  /**
   * @param settings the load run's settings (interval, ack timeout, window sizes)
   * @param synthetic this trainer's observations
   * @param phase delay of the first decision, so that trainers spread over one interval
   * @param recorder where round trips go
   * @param counters where sends, drops and rejections are counted
   */
  public static Behavior<Command> create(
      LoadgenSettings settings,
      SyntheticObservations synthetic,
      Duration phase,
      LatencyRecorder recorder,
      LoadCounters counters) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new SimulatedTrainer(
                        ctx, timers, settings, synthetic, phase, recorder, counters)));
  }

  private SimulatedTrainer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      LoadgenSettings settings,
      SyntheticObservations synthetic,
      Duration phase,
      LatencyRecorder recorder,
      LoadCounters counters) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.synthetic = synthetic;
    this.recorder = recorder;
    this.counters = counters;
    this.trainerId = synthetic.description().getTrainerId();
    this.intervalNanos = settings.interval().toNanos();
    this.link =
        new AgentLink<>(
            trainerId,
            new AgentLink.Limits(
                settings.maxUnackedObservations(),
                settings.maxPendingSummaries(),
                settings.ackTimeout()),
            new PekkoTransport(ctx.getSystem()));
    ActorRef<Message> self = ctx.messageAdapter(Message.class, Wire::new);
    link.describe(
        RegisterTrainer.newBuilder()
            .setTrainer(synthetic.description())
            .setTrainerRef(ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(self))
            .build());
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.subscribe(
                ServiceKeys.TRAINER_REGISTRY,
                ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
    nextDecisionAt = System.nanoTime() + phase.toNanos();
    timers.startSingleTimer(DECISION_TIMER, new DecisionTick(), phase);
    timers.startTimerWithFixedDelay(RESEND_TIMER, new ResendTick(), settings.ackTimeout());
    timers.startTimerWithFixedDelay(REGISTER_TIMER, new RegisterTick(), settings.ackTimeout());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listing.class, this::onListing)
        .onMessage(Wire.class, this::onWire)
        .onMessage(DecisionTick.class, t -> onDecision())
        .onMessage(ResendTick.class, t -> onResend())
        .onMessage(RegisterTick.class, t -> onRegisterTick())
        .onMessage(Stop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onListing(Listing l) {
    boolean hadRegistry = link.hasRegistry();
    AgentLink.ListingChange change =
        link.onListing(l.listing().getServiceInstances(ServiceKeys.TRAINER_REGISTRY));
    if (change != AgentLink.ListingChange.UNCHANGED && hadRegistry) {
      // the agent-node went away: register anew with whichever registry is listed now
      getContext().getLog().info("{}: registry left; registering again", trainerId);
      timers.startTimerWithFixedDelay(REGISTER_TIMER, new RegisterTick(), settings.ackTimeout());
    }
    if (change == AgentLink.ListingChange.NEW_REGISTRY) {
      link.register();
    }
    reportGauges();
    return this;
  }

  private Behavior<Command> onRegisterTick() {
    if (link.registered()) {
      timers.cancel(REGISTER_TIMER);
    } else {
      link.register();
    }
    return this;
  }

  private Behavior<Command> onWire(Wire w) {
    Message m = w.message();
    long now = System.nanoTime();
    if (m instanceof SparsityAction a) {
      onAction(a, now);
    } else if (m instanceof ObservationAck a) {
      acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos(), now);
    } else if (m instanceof EpisodeSummaryAck a) {
      link.ackSummary(a);
    } else if (m instanceof TrainerRegistered r) {
      if (link.onRegistered(r, now) != AgentLink.Registration.FOREIGN) {
        policyVersion = Math.max(policyVersion, r.getPolicyVersion());
        timers.cancel(REGISTER_TIMER);
      }
    } else if (m instanceof RegistrationRejected r) {
      counters.rejectedRegistrations.increment();
      link.onRejected();
      getContext().getLog().warn("{}: registration rejected: {}", trainerId, r.getReason());
    } else {
      getContext().getLog().debug("{}: ignoring {}", trainerId, m.getClass().getSimpleName());
    }
    reportGauges();
    return this;
  }

  private void onAction(SparsityAction a, long now) {
    counters.actions.increment();
    policyVersion = Math.max(policyVersion, a.getPolicyVersion());
    if (a.getEpisode() < episode) {
      counters.staleActions.increment();
    } else {
      Optional<String> problem =
          MessageChecks.action(a, episode, lastDecisionSent, synthetic.layers());
      if (problem.isPresent()) {
        counters.rejectedActions.increment();
        if (!warnedReject) {
          warnedReject = true;
          getContext().getLog().warn("{}: action rejected: {}", trainerId, problem.get());
        }
      }
    }
    // even a stale or rejected action answers its observation: the round trip is complete and
    // resending would only fetch the same cached answer again
    acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos(), now);
  }

  private void acknowledge(long ep, long dec, long echoedSentAt, long now) {
    // empty for a second answer to a resent observation: the first one was measured
    link.acknowledge(ep, dec, echoedSentAt, now).ifPresent(recorder::record);
  }

  private Behavior<Command> onDecision() {
    if (link.registered()) {
      sendObservation();
      reportGauges();
    }
    // fixed rate without drift or pile-up: the next deadline is computed, not "now + interval"
    nextDecisionAt += intervalNanos;
    long delay = Math.max(0, nextDecisionAt - System.nanoTime());
    timers.startSingleTimer(DECISION_TIMER, new DecisionTick(), Duration.ofNanos(delay));
    return this;
  }

  private void sendObservation() {
    long now = System.nanoTime();
    Observation o = synthetic.observation(episode, decision, now);
    link.send(o, now)
        .ifPresent(
            dropped -> {
              counters.droppedObservations.increment();
              if (!warnedDrop) {
                warnedDrop = true;
                getContext()
                    .getLog()
                    .warn(
                        "{}: window of {} unacknowledged observations full; dropped episode {}"
                            + " decision {} (further drops are only counted)",
                        trainerId,
                        settings.maxUnackedObservations(),
                        dropped.getEpisode(),
                        dropped.getDecision());
              }
            });
    counters.observations.increment();
    lastDecisionSent = decision;
    if (o.getDone()) {
      endEpisode(now);
    } else {
      decision++;
    }
  }

  private void endEpisode(long now) {
    EpisodeSummary s = synthetic.summary(link.runId(), episode, policyVersion);
    link.queueSummary(s, now).ifPresent(dropped -> counters.droppedSummaries.increment());
    counters.summaries.increment();
    episode++;
    decision = 0;
    lastDecisionSent = -1;
  }

  private Behavior<Command> onResend() {
    counters.resends.add(link.resendDue(System.nanoTime()));
    return this;
  }

  /**
   * Moves the shared gauges by this trainer's change since the last report: the link counts its
   * window and registration, the gauges sum them over all trainers.
   */
  private void reportGauges() {
    int unacked = link.unacked();
    counters.unacked.addAndGet(unacked - reportedUnacked);
    reportedUnacked = unacked;
    boolean registered = link.registered();
    if (registered != reportedRegistered) {
      counters.registered.addAndGet(registered ? 1 : -1);
      reportedRegistered = registered;
    }
  }

  private Behavior<Command> onStop() {
    link.deregister("load generator finished");
    if (reportedRegistered) {
      counters.registered.decrementAndGet();
    }
    return Behaviors.stopped();
  }
}
