package io.jitsparse.env.loadgen;

import com.google.protobuf.Message;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerRegistered;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * give them. It records every observation's round trip (send to first acknowledgement) in the
 * shared {@link LatencyRecorder} and counts what it drops in the shared {@link LoadCounters}.
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

  private record Key(long episode, long decision) {}

  private static final class Pending {
    final Observation observation;
    long lastSentNanos;

    Pending(Observation observation, long lastSentNanos) {
      this.observation = observation;
      this.lastSentNanos = lastSentNanos;
    }
  }

  private static final class PendingSummary {
    final EpisodeSummary summary;
    long lastSentNanos;

    PendingSummary(EpisodeSummary summary, long lastSentNanos) {
      this.summary = summary;
      this.lastSentNanos = lastSentNanos;
    }
  }

  private static final Object DECISION_TIMER = "decision";
  private static final Object RESEND_TIMER = "resend";
  private static final Object REGISTER_TIMER = "register";

  private final TimerScheduler<Command> timers;
  private final LoadgenSettings settings;
  private final SyntheticObservations synthetic;
  private final LatencyRecorder recorder;
  private final LoadCounters counters;
  private final ActorRefResolver resolver;
  private final ActorRef<Message> self;
  private final String trainerId;
  private final long intervalNanos;
  private final long ackTimeoutNanos;

  /** Unacknowledged observations, oldest first. */
  private final LinkedHashMap<Key, Pending> window = new LinkedHashMap<>();

  private final ArrayDeque<PendingSummary> outbox = new ArrayDeque<>();

  private List<ActorRef<Message>> registries = List.of();
  private ActorRef<Message> registry;
  private ActorRef<Message> explorer;
  private String runId = "";
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
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.self = ctx.messageAdapter(Message.class, Wire::new);
    this.trainerId = synthetic.description().getTrainerId();
    this.intervalNanos = settings.interval().toNanos();
    this.ackTimeoutNanos = settings.ackTimeout().toNanos();
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
    registries =
        l.listing().getServiceInstances(ServiceKeys.TRAINER_REGISTRY).stream()
            .sorted(Comparator.comparing(r -> r.path().toString()))
            .toList();
    if (registry != null && !registries.contains(registry)) {
      // the agent-node went away: register anew with whichever registry is listed now
      getContext().getLog().info("{}: registry {} left; registering again", trainerId, registry);
      lostRegistration();
    }
    if (registry == null) {
      register();
    }
    return this;
  }

  private void lostRegistration() {
    if (explorer != null) {
      counters.registered.decrementAndGet();
    }
    registry = null;
    explorer = null;
    timers.startTimerWithFixedDelay(REGISTER_TIMER, new RegisterTick(), settings.ackTimeout());
  }

  /** Sends RegisterTrainer to the registry docs/cluster.md assigns this trainer id to. */
  private void register() {
    if (registries.isEmpty()) {
      return;
    }
    ActorRef<Message> target =
        registries.get(Math.floorMod(trainerId.hashCode(), registries.size()));
    target.tell(
        RegisterTrainer.newBuilder()
            .setTrainer(synthetic.description())
            .setTrainerRef(resolver.toSerializationFormat(self))
            .build());
    registry = target;
  }

  private Behavior<Command> onRegisterTick() {
    if (explorer == null) {
      register();
    } else {
      timers.cancel(REGISTER_TIMER);
    }
    return this;
  }

  private Behavior<Command> onWire(Wire w) {
    Message m = w.message();
    if (m instanceof SparsityAction a) {
      onAction(a);
    } else if (m instanceof ObservationAck a) {
      acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
    } else if (m instanceof EpisodeSummaryAck a) {
      outbox.removeIf(p -> p.summary.getEpisode() == a.getEpisode());
    } else if (m instanceof TrainerRegistered r) {
      onRegistered(r);
    } else if (m instanceof RegistrationRejected r) {
      counters.rejectedRegistrations.increment();
      getContext().getLog().warn("{}: registration rejected: {}", trainerId, r.getReason());
    } else {
      getContext().getLog().debug("{}: ignoring {}", trainerId, m.getClass().getSimpleName());
    }
    return this;
  }

  private void onRegistered(TrainerRegistered r) {
    if (!r.getTrainerId().equals(trainerId)) {
      return;
    }
    if (explorer == null) {
      counters.registered.incrementAndGet();
    }
    explorer = resolver.resolveActorRef(r.getExplorerRef());
    runId = r.getRunId();
    policyVersion = Math.max(policyVersion, r.getPolicyVersion());
    timers.cancel(REGISTER_TIMER);
    // summaries wait in the outbox until acknowledged and are resent on re-registration
    long now = System.nanoTime();
    for (PendingSummary p : outbox) {
      explorer.tell(p.summary);
      p.lastSentNanos = now;
    }
  }

  private void onAction(SparsityAction a) {
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
    acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
  }

  private void acknowledge(long ep, long dec, long echoedSentAt) {
    Pending p = window.remove(new Key(ep, dec));
    if (p == null) {
      return; // a second answer to a resent observation: the first one was measured
    }
    counters.unacked.decrementAndGet();
    long sentAt = echoedSentAt != 0 ? echoedSentAt : p.observation.getSentAtNanos();
    recorder.record(System.nanoTime() - sentAt);
  }

  private Behavior<Command> onDecision() {
    if (explorer != null) {
      sendObservation();
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
    if (window.size() >= settings.maxUnackedObservations()) {
      Iterator<Map.Entry<Key, Pending>> oldest = window.entrySet().iterator();
      Key dropped = oldest.next().getKey();
      oldest.remove();
      counters.unacked.decrementAndGet();
      counters.droppedObservations.increment();
      if (!warnedDrop) {
        warnedDrop = true;
        getContext()
            .getLog()
            .warn(
                "{}: window of {} unacknowledged observations full; dropped episode {} decision {}"
                    + " (further drops are only counted)",
                trainerId,
                settings.maxUnackedObservations(),
                dropped.episode(),
                dropped.decision());
      }
    }
    window.put(new Key(episode, decision), new Pending(o, now));
    counters.unacked.incrementAndGet();
    counters.observations.increment();
    explorer.tell(o);
    lastDecisionSent = decision;
    if (o.getDone()) {
      endEpisode(now);
    } else {
      decision++;
    }
  }

  private void endEpisode(long now) {
    EpisodeSummary s = synthetic.summary(runId, episode, policyVersion);
    if (outbox.size() >= settings.maxPendingSummaries()) {
      outbox.removeFirst();
      counters.droppedSummaries.increment();
    }
    outbox.addLast(new PendingSummary(s, now));
    counters.summaries.increment();
    explorer.tell(s);
    episode++;
    decision = 0;
    lastDecisionSent = -1;
  }

  private Behavior<Command> onResend() {
    if (explorer == null) {
      return this;
    }
    long now = System.nanoTime();
    for (Pending p : window.values()) {
      if (now - p.lastSentNanos >= ackTimeoutNanos) {
        // the same observation, sent_at included: the round trip counts from the first send
        explorer.tell(p.observation);
        p.lastSentNanos = now;
        counters.resends.increment();
      }
    }
    for (PendingSummary p : outbox) {
      if (now - p.lastSentNanos >= ackTimeoutNanos) {
        explorer.tell(p.summary);
        p.lastSentNanos = now;
      }
    }
    return this;
  }

  private Behavior<Command> onStop() {
    if (registry != null) {
      registry.tell(
          DeregisterTrainer.newBuilder()
              .setTrainerId(trainerId)
              .setReason("load generator finished")
              .build());
    }
    if (explorer != null) {
      counters.registered.decrementAndGet();
    }
    return Behaviors.stopped();
  }
}
