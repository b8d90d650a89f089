package io.jitsparse.agent.explorer;

import com.google.protobuf.Message;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.live.EpisodeEnded;
import io.jitsparse.agent.policy.EpsilonGreedy;
import io.jitsparse.agent.policy.EpsilonSpread;
import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.PolicyChunks;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SubscribePolicy;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import io.jitsparse.protocol.v1.TransitionBatchAck;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The agent's side of one trainer: an Ape-X actor (Horgan et al. 2018) that answers the trainer's
 * observations with sparsity actions from the policy it holds, builds n-step transitions from the
 * exchange (with initial priorities from its own copy of the Q-network) and ships them to the
 * replay behind the learner singleton, relays episode summaries to the learner and keeps its policy
 * up to date from the learner's chunked snapshots. It acts epsilon-greedily per layer with the
 * epsilon of its exploration slot ({@link EpsilonSpread}); until the first Q-network arrives it
 * follows the handcrafted policy of version 0, the trainer's reference schedule (zero offsets). Its
 * wire face is a message adapter; the registry sends {@link Reregister} when the trainer registers
 * again.
 */
public final class Explorer extends AbstractBehavior<Explorer.Command> {

  /** What an explorer handles. */
  public sealed interface Command extends LocalCommand
      permits Wire,
          Reregister,
          TrainerLeft,
          ResendTick,
          SummaryTick,
          ResubscribeTick,
          FlushTick,
          DrainDeadline {}

  /** A protobuf message that arrived through the explorer's adapter. */
  public record Wire(Message message) implements Command {}

  /** The trainer registered again (possibly from a restarted actor): reply and adopt its ref. */
  public record Reregister(RegisterTrainer registration) implements Command {}

  /**
   * The trainer is gone: deregistered ({@code nodeLost} false) or its node left the cluster. The
   * explorer keeps delivering the transitions and summaries it already holds (they are valid
   * experience) for at most {@code drain-timeout}, then stops; an episode the trainer never ended
   * is counted abandoned when its node was lost, and what is still unacknowledged is counted lost.
   */
  public record TrainerLeft(boolean nodeLost) implements Command {}

  private record ResendTick() implements Command {}

  /** The drain of a leaving explorer has lasted {@code drain-timeout}. */
  private record DrainDeadline() implements Command {}

  private record SummaryTick() implements Command {}

  private record ResubscribeTick() implements Command {}

  /** The oldest pending transition has waited {@code max-transition-delay}. */
  private record FlushTick() implements Command {}

  private static final String RESEND = "resend";
  private static final String SUMMARY = "summary";
  private static final String FLUSH = "flush";
  private static final String DRAIN = "drain";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final AgentSettings settings;
  private final String runId;
  private final TrainerDescription trainer;
  private final ActorRef<Message> learner;
  private final ActorRefResolver resolver;
  private final ActorRef<Message> self;
  private final String selfRef;
  private final ExplorerMeters meters;
  private final NStepAccumulator nStep;
  private final TransitionOutbox outbox;
  private final PolicyChunks.Assembler assembler;
  private final Map<Long, EpisodeSummary> summaries = new LinkedHashMap<>();
  private QFunction q;
  private final double epsilon;
  private final SplittableRandom random;
  private long policyVersion;
  private ActorRef<Message> trainerRef;
  private long lastEpisode = -1;
  private long lastDecision = -1;
  private Message cachedAnswer;
  private long lastSummaryAcked = -1;
  // The trainer is inside an episode: from its registration (a registered trainer is in an episode
  // or starting one; after an agent restart it registers mid-episode) until its final observation
  // (done), and again from its next observation.
  private boolean episodeOpen = true;
  private boolean leaving;

  /**
   * @param registration the trainer's accepted registration (replied to at start)
   * @param learner the learner singleton's proxy
   * @param slot the explorer's exploration slot (its epsilon)
   */
  public static Behavior<Command> create(
      AgentSettings settings,
      String runId,
      RegisterTrainer registration,
      ActorRef<Message> learner,
      MeterRegistry meters,
      int slot) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Explorer(
                        ctx, timers, settings, runId, registration, learner, meters, slot)));
  }

  private Explorer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      AgentSettings settings,
      String runId,
      RegisterTrainer registration,
      ActorRef<Message> learner,
      MeterRegistry meterRegistry,
      int slot) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.runId = runId;
    this.trainer = registration.getTrainer();
    this.learner = learner;
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.self = ctx.messageAdapter(Message.class, Wire::new);
    this.selfRef = resolver.toSerializationFormat(self);
    this.nStep = new NStepAccumulator(settings.nStep(), settings.gamma());
    this.outbox =
        new TransitionOutbox(
            explorerId(trainer.getTrainerId(), ctx.getSelf().path().uid()),
            settings.transitionBatchSize(),
            settings.maxUnackedBatches(),
            settings.maxPendingTransitions(),
            settings.ackTimeout().toNanos());
    this.assembler = new PolicyChunks.Assembler(settings.maxPolicyBytes());
    var l = settings.learning();
    this.epsilon =
        EpsilonSpread.epsilon(slot, l.explorerPopulation(), l.epsilonBase(), l.epsilonAlpha());
    // Seeded per slot so that two explorers do not draw the same exploration.
    this.random = new SplittableRandom(l.seed() * 1_000_003L + slot);
    this.meters = new ExplorerMeters(meterRegistry, trainer.getTrainerId(), epsilon);
    reply(registration);
    subscribe(-1);
    timers.startTimerWithFixedDelay(new ResubscribeTick(), settings.policyResubscribeInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wire.class, this::onWire)
        .onMessage(Reregister.class, r -> reply(r.registration()))
        .onMessage(TrainerLeft.class, this::onTrainerLeft)
        .onMessage(DrainDeadline.class, d -> onDrainDeadline())
        .onMessage(ResendTick.class, t -> onResend())
        .onMessage(SummaryTick.class, t -> onSummaryTick())
        .onMessage(ResubscribeTick.class, t -> subscribe(policyVersion))
        .onMessage(FlushTick.class, t -> onFlushTick())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onWire(Wire w) {
    Message m = w.message();
    if (leaving && (m instanceof Observation || m instanceof EpisodeSummary)) {
      // From a trainer that left: nobody waits for the answer.
      return this;
    }
    if (m instanceof Observation o) {
      onObservation(o);
    } else if (m instanceof TransitionBatchAck a) {
      onBatchAck(a);
    } else if (m instanceof EpisodeSummary s) {
      onSummary(s);
    } else if (m instanceof EpisodeSummaryAck a) {
      onSummaryAck(a);
    } else if (m instanceof PolicySnapshotChunk c) {
      onChunk(c);
    } else {
      reject("unexpected", "unexpected " + m.getDescriptorForType().getFullName());
    }
    return leaving && drained() ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onTrainerLeft(TrainerLeft left) {
    if (left.nodeLost() && episodeOpen) {
      meters.episodesAbandoned.increment();
    }
    episodeOpen = false;
    leaving = true;
    outbox.flush();
    pump();
    if (drained()) {
      return Behaviors.stopped();
    }
    timers.startSingleTimer(DRAIN, new DrainDeadline(), settings.drainTimeout());
    return this;
  }

  private Behavior<Command> onDrainDeadline() {
    int lost = outbox.pendingCount() + outbox.unackedTransitions();
    meters.transitionsLost.increment(lost);
    ctx.getLog()
        .warn(
            "explorer {}: trainer left and the replay did not acknowledge {} transitions and {}"
                + " summaries within drain-timeout {}: counted lost",
            trainerId(),
            lost,
            summaries.size(),
            settings.drainTimeout());
    return Behaviors.stopped();
  }

  /** Nothing left to deliver: every built transition and every summary acknowledged. */
  private boolean drained() {
    return outbox.pendingCount() == 0 && outbox.unackedCount() == 0 && summaries.isEmpty();
  }

  private Behavior<Command> reply(RegisterTrainer registration) {
    trainerRef = resolver.resolveActorRef(registration.getTrainerRef());
    trainerRef.tell(
        TrainerRegistered.newBuilder()
            .setTrainerId(trainer.getTrainerId())
            .setRunId(runId)
            .setExplorerRef(selfRef)
            .setPolicyVersion(policyVersion)
            .build());
    return this;
  }

  private void onObservation(Observation o) {
    meters.observations.increment();
    Optional<String> bad = MessageChecks.observation(o, trainer);
    if (bad.isPresent()) {
      reject("observation", bad.get());
      return;
    }
    boolean newer =
        o.getEpisode() > lastEpisode
            || (o.getEpisode() == lastEpisode && o.getDecision() > lastDecision);
    if (!newer) {
      // A resend: the answer was lost or is still on its way. Re-answer, record nothing.
      if (cachedAnswer != null) {
        trainerRef.tell(cachedAnswer);
      }
      return;
    }
    lastEpisode = o.getEpisode();
    lastDecision = o.getDecision();
    episodeOpen = !o.getDone();
    Message answer;
    NStepAccumulator.Decision decision = null;
    if (o.getDone()) {
      answer =
          ObservationAck.newBuilder()
              .setTrainerId(o.getTrainerId())
              .setEpisode(o.getEpisode())
              .setDecision(o.getDecision())
              .setObservationSentAtNanos(o.getSentAtNanos())
              .build();
    } else {
      int[] moves;
      if (q != null) {
        EpsilonGreedy.Choice c = EpsilonGreedy.choose(q, FeatureEncoder.encode(o), epsilon, random);
        moves = c.moves();
        meters.explored.increment(c.explored());
        meters.greedy.increment(moves.length - c.explored());
      } else {
        moves = MoveSet.reference(o.getLayersCount());
        meters.handcrafted.increment(moves.length);
      }
      decision = new NStepAccumulator.Decision(moves, MoveSet.targets(o, moves), policyVersion);
      answer = MoveSet.action(o, moves, policyVersion);
    }
    trainerRef.tell(answer);
    cachedAnswer = answer;
    for (Transition built : nStep.observe(o, decision)) {
      Transition t = built.toBuilder().setInitialPriority(InitialPriority.of(q, built)).build();
      int dropped = outbox.add(t);
      if (dropped > 0) {
        meters.transitionsDropped.increment(dropped);
        ctx.getLog()
            .warn(
                "explorer {}: replay not keeping up, dropped {} oldest transitions ({} in all)",
                trainer.getTrainerId(),
                dropped,
                outbox.dropped());
      }
    }
    if (o.getDone()) {
      outbox.flush();
    }
    pump();
    if (outbox.pendingCount() > 0 && !timers.isTimerActive(FLUSH)) {
      timers.startSingleTimer(FLUSH, new FlushTick(), settings.maxTransitionDelay());
    }
  }

  private Behavior<Command> onFlushTick() {
    outbox.flush();
    pump();
    return this;
  }

  private void pump() {
    for (TransitionBatch b : outbox.ready(System.nanoTime(), selfRef)) {
      meters.transitionsSent.increment(b.getTransitionsCount());
      learner.tell(b);
    }
    if (outbox.unackedCount() > 0 && !timers.isTimerActive(RESEND)) {
      timers.startSingleTimer(RESEND, new ResendTick(), settings.ackTimeout());
    }
  }

  private Behavior<Command> onResend() {
    for (TransitionBatch b : outbox.due(System.nanoTime())) {
      learner.tell(b);
    }
    pump();
    return this;
  }

  private void onBatchAck(TransitionBatchAck a) {
    int n = outbox.ack(a.getSequence());
    if (n >= 0) {
      meters.transitionsAcked.increment(n);
    }
    pump();
  }

  private void onSummary(EpisodeSummary s) {
    if (!s.getTrainerId().equals(trainer.getTrainerId())) {
      reject(
          "episode-summary",
          "summary of trainer " + s.getTrainerId() + " reached the explorer of " + trainerId());
      return;
    }
    if (s.getEpisode() <= lastSummaryAcked) {
      // The learner already took it; our acknowledgement to the trainer was lost.
      trainerRef.tell(summaryAck(s.getEpisode()));
      return;
    }
    EpisodeEnded.publish(ctx.getSystem(), s);
    summaries.put(s.getEpisode(), s);
    while (summaries.size() > settings.maxPendingSummaries()) {
      Long oldest = summaries.keySet().iterator().next();
      summaries.remove(oldest);
      meters.summariesDropped.increment();
      ctx.getLog()
          .warn(
              "explorer {}: learner not answering, dropped summary of episode {}",
              trainerId(),
              oldest);
    }
    forward(s);
    if (!timers.isTimerActive(SUMMARY)) {
      timers.startSingleTimer(SUMMARY, new SummaryTick(), settings.ackTimeout());
    }
  }

  /**
   * Sends a summary to the learner, preceded by a transition batch: EpisodeSummary has no reply
   * field, so the learner answers to the {@code ack_to} it last saw from this explorer's batches,
   * and a batch sent first on the same path is guaranteed to arrive first.
   */
  private void forward(EpisodeSummary s) {
    if (outbox.unackedCount() == 0) {
      outbox.requestBatch();
    }
    pump();
    learner.tell(s);
  }

  private Behavior<Command> onSummaryTick() {
    summaries.values().forEach(this::forward);
    if (!summaries.isEmpty()) {
      timers.startSingleTimer(SUMMARY, new SummaryTick(), settings.ackTimeout());
    }
    return this;
  }

  private void onSummaryAck(EpisodeSummaryAck a) {
    if (!a.getTrainerId().equals(trainerId())) {
      reject("episode-summary-ack", "ack for trainer " + a.getTrainerId());
      return;
    }
    summaries.remove(a.getEpisode());
    lastSummaryAcked = Math.max(lastSummaryAcked, a.getEpisode());
    if (!leaving) {
      trainerRef.tell(summaryAck(a.getEpisode()));
    }
  }

  private void onChunk(PolicySnapshotChunk c) {
    Optional<PolicySnapshot> snapshot;
    try {
      snapshot = assembler.add(c);
    } catch (IllegalArgumentException e) {
      reject("policy-chunk", e.getMessage());
      return;
    }
    snapshot.ifPresent(this::adopt);
  }

  private void adopt(PolicySnapshot p) {
    if (p.getVersion() < policyVersion) {
      return;
    }
    String format = p.getFormat();
    if (format.startsWith("handcrafted:")) {
      String name = format.substring("handcrafted:".length());
      if (!AgentSettings.SCHEDULES.contains(name)) {
        reject("policy-format", "unknown handcrafted schedule '" + name + "'");
        return;
      }
      q = null;
    } else if (format.equals(QFunction.FORMAT)) {
      QFunction parsed;
      try {
        parsed = QFunction.fromBytes(p.getParameters().toByteArray());
      } catch (IllegalArgumentException e) {
        reject("policy-format", "policy v" + p.getVersion() + ": " + e.getMessage());
        return;
      }
      // A network that parses but does not fit was adopted, and the explorer failed at its next
      // decision (QFunction.forward refused the feature row; found by HostileWireActorsFuzzTest).
      if (parsed.inputs() != FeatureEncoder.ROW || parsed.outputs() != MoveSet.size()) {
        reject(
            "policy-format",
            String.format(
                "policy v%d: a Q-network of %d inputs and %d moves, expected %d and %d",
                p.getVersion(),
                parsed.inputs(),
                parsed.outputs(),
                FeatureEncoder.ROW,
                MoveSet.size()));
        return;
      }
      q = parsed;
    } else {
      reject("policy-format", "policy v" + p.getVersion() + " has unknown format '" + format + "'");
      return;
    }
    boolean first = policyVersion == 0;
    policyVersion = p.getVersion();
    meters.policyVersion.set(policyVersion);
    if (first) {
      ctx.getLog()
          .info(
              "explorer {}: acting with policy v{} ({}, epsilon {})",
              trainerId(),
              policyVersion,
              format,
              String.format(java.util.Locale.ROOT, "%.4f", epsilon));
    } else {
      ctx.getLog().debug("explorer {}: acting with policy v{}", trainerId(), policyVersion);
    }
  }

  private Behavior<Command> subscribe(long haveVersion) {
    learner.tell(
        SubscribePolicy.newBuilder().setSubscriberRef(selfRef).setHaveVersion(haveVersion).build());
    return this;
  }

  private Behavior<Command> onStop() {
    meters.close();
    if (outbox.pendingCount() + outbox.unackedCount() > 0) {
      ctx.getLog()
          .info(
              "explorer {} stopped with {} pending transitions and {} unacknowledged batches",
              trainerId(),
              outbox.pendingCount(),
              outbox.unackedCount());
    }
    return this;
  }

  private EpisodeSummaryAck summaryAck(long episode) {
    return EpisodeSummaryAck.newBuilder().setTrainerId(trainerId()).setEpisode(episode).build();
  }

  private void reject(String kind, String reason) {
    meters.rejected(kind);
    ctx.getLog().warn("explorer {}: rejected {}: {}", trainerId(), kind, reason);
  }

  /**
   * The {@code explorer_id} of this incarnation: {@code <trainer id>/<actor uid>}. The replay
   * dedups batches per explorer id, so an explorer respawned for the same trainer (sequences from 0
   * again) needs a new one; the learner reads the trainer id before the '/' (trainer ids have
   * none).
   */
  public static String explorerId(String trainerId, int uid) {
    return trainerId + "/" + Integer.toHexString(uid);
  }

  /** The trainer id inside an {@link #explorerId}. */
  public static String trainerOf(String explorerId) {
    int slash = explorerId.indexOf('/');
    return slash < 0 ? explorerId : explorerId.substring(0, slash);
  }

  private String trainerId() {
    return trainer.getTrainerId();
  }
}
