package io.jitsparse.env.trainer;

import com.google.protobuf.Message;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.node.EpisodeJournal;
import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.train.NonFiniteLossException;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.LayerSchedule;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.StepState;
import io.jitsparse.protocol.v1.StepStateBatch;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.jitsparse.protocol.v1.UnsubscribeStepStates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * episode through its {@link ActionWall} (or its {@link FallbackSchedule} while the agent is
 * unreachable) and sends an {@link Observation}; unacknowledged observations are resent after
 * {@code ack-timeout}. At the end of an episode it evaluates the test set, writes the episode to
 * the {@link EpisodeJournal} and sends an {@link EpisodeSummary} to its explorer (kept in a bounded
 * outbox until acknowledged). Invalid input is logged, counted and dropped; a diverged loss aborts
 * the episode, not the actor.
 */
public final class Trainer extends AbstractBehavior<Trainer.Command> {

  /** Weight of the newest loss in the smoothed loss (an EMA over roughly the last 10 steps). */
  private static final double LOSS_EMA = 0.1;

  /** Step-state subscribers kept at most (a live view, not a fan-out service). */
  private static final int MAX_SUBSCRIBERS = 16;

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

  private record Key(long episode, long decision) {}

  private static final class Pending {
    final Observation observation;
    final long firstSent;
    long lastSent;

    Pending(Observation observation, long now) {
      this.observation = observation;
      this.firstSent = now;
      this.lastSent = now;
    }
  }

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
  private final Meters meters;

  private ActorRef<Message> registry;
  private boolean registered;
  private ActorRef<Message> explorer;
  private String agentRunId = "";
  private List<LayerFeatures> staticLayers;

  private long episodeIndex;
  private TrainingEpisode episode;
  private ActionWall wall;
  private FallbackSchedule fallback;
  private long decision;
  private long lastDecisionSent = -1;
  private long lastAppliedDecision = -1;
  private SparsityAction pendingAction;
  private double previousValidation;
  private double smoothedLoss = Double.NaN;
  private double learningRate;
  private double episodeReturn;
  private long episodePolicyVersion;
  private final List<Long> decisionSteps = new ArrayList<>();
  private final List<double[]> schedule = new ArrayList<>();

  private final LinkedHashMap<Key, Pending> unacked = new LinkedHashMap<>();
  private final Deque<EpisodeSummary> outbox = new ArrayDeque<>();
  private long outboxSentAt;
  private final Set<ActorRef<Message>> subscribers = new LinkedHashSet<>();
  private final List<StepState> stepStates = new ArrayList<>();
  private boolean finished;

  /**
   * The trainer's behavior.
   *
   * @param s the node's trainer settings
   * @param index the trainer's index on its node (seeds derive from it)
   * @param trainerId the cluster-unique id {@code <node>-<index>}
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
    this.meters = new Meters(registry, trainerId);
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.wire = ctx.messageAdapter(Message.class, Wire::new);
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
      boundary(0, false);
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
      sendFinalObservation();
      return endEpisode(true, "non-finite loss " + e.getMessage());
    }
    meters.steps.increment();
    smoothedLoss =
        Double.isNaN(smoothedLoss)
            ? st.loss()
            : (1 - LOSS_EMA) * smoothedLoss + LOSS_EMA * st.loss();
    learningRate = st.learningRate();
    recordStepState(st);
    long step = episode.stepCount();
    if (step >= s.episodeSteps()) {
      boundary(step, true);
      return endEpisode(false, "");
    }
    if (step % s.decisionInterval() == 0) {
      boundary(step, false);
    }
    getContext().getSelf().tell(new Step());
    return this;
  }

  private void startEpisode() {
    long seed = s.episodeSeed(index, episodeIndex);
    episode = new TrainingEpisode(s, seed, data.get());
    wall =
        new ActionWall(
            episode.sizes(), s.episodeSteps(), s.density(), s.finalPhase(), s.minLayerDensity());
    fallback =
        new FallbackSchedule(s.fallbackSchedule(), s.startDensity(), s.density(), s.episodeSteps());
    decision = 0;
    lastDecisionSent = -1;
    lastAppliedDecision = -1;
    pendingAction = null;
    smoothedLoss = Double.NaN;
    learningRate = s.engine(seed).learningRate();
    episodeReturn = 0;
    episodePolicyVersion = 0;
    decisionSteps.clear();
    schedule.clear();
    if (staticLayers == null) {
      staticLayers = staticLayers(episode.network().tensors());
      sendRegister();
    }
  }

  /**
   * A decision boundary: choose the requested densities (newest action, else the fallback schedule
   * while the agent is unreachable, else the current ones), pass them through the wall, move the
   * masks and send the observation.
   */
  private void boundary(long step, boolean done) {
    double[] current = episode.densities();
    double[] requested;
    if (pendingAction != null) {
      requested = toArray(pendingAction.getLayerDensitiesList());
      lastAppliedDecision = pendingAction.getDecision();
      episodePolicyVersion = Math.max(episodePolicyVersion, pendingAction.getPolicyVersion());
      pendingAction = null;
      meters.applied.increment();
    } else if (agentUnreachable()) {
      requested = fallback.targets(step, current);
      meters.fallback.increment();
    } else {
      requested = current;
    }
    episode.moveTo(wall.apply(requested, step, episode.globalDensity()));
    double[] applied = episode.densities();
    decisionSteps.add(step);
    schedule.add(applied);
    var validation = episode.validationAccuracy();
    double reward = decision == 0 ? 0 : validation - previousValidation;
    previousValidation = validation;
    episodeReturn += reward;
    send(observation(step, validation, reward, done, applied));
  }

  private Observation observation(
      long step, double validation, double reward, boolean done, double[] applied) {
    Observation.Builder o =
        Observation.newBuilder()
            .setTrainerId(trainerId)
            .setEpisode(episodeIndex)
            .setDecision(decision)
            .setStep(step)
            .setTotalSteps(s.episodeSteps())
            .setSmoothedLoss(finite(Double.isNaN(smoothedLoss) ? 0 : smoothedLoss))
            .setValidationAccuracy(validation)
            .setLearningRate(learningRate)
            .setGlobalDensity(episode.globalDensity())
            .setTargetDensity(s.density())
            .setTrainingFlops(episode.trainingFlops())
            .setReward(finite(reward))
            .setDone(done);
    for (int i = 0; i < applied.length; i++) {
      LayerStatistics st = episode.statistics(i);
      o.addLayers(
          staticLayers.get(i).toBuilder()
              .setDensity(applied[i])
              .setWeightMagnitudeMean(finite(st.weightMagnitudeMean()))
              .setWeightMagnitudeStd(finite(st.weightMagnitudeStd()))
              .setGradientNorm(finite(st.gradientNorm()))
              .setMaskChurn(st.maskChurn()));
    }
    return o.setSentAtNanos(System.nanoTime()).build();
  }

  /** After an abort: a done observation so the explorer closes its episode too. */
  private void sendFinalObservation() {
    double[] d = episode.densities();
    decisionSteps.add(episode.stepCount());
    schedule.add(d);
    send(observation(episode.stepCount(), previousValidation, 0, true, d));
  }

  private Behavior<Command> endEpisode(boolean aborted, String reason) {
    EpisodeSummary summary = summary(aborted, reason, aborted ? 0 : episode.testAccuracy());
    journal.tell(new EpisodeJournal.Append(summary, null));
    toOutbox(summary);
    episode.close();
    episode = null;
    episodeIndex++;
    if (s.episodes() > 0 && episodeIndex >= s.episodes()) {
      finished = true;
      if (outbox.isEmpty() || !registered) {
        return finish();
      }
      timers.startSingleTimer(new DrainTimeout(), s.agentTimeout());
      return this;
    }
    getContext().getSelf().tell(new Step());
    return this;
  }

  private EpisodeSummary summary(boolean aborted, String reason, double testAccuracy) {
    EpisodeSummary.Builder b =
        EpisodeSummary.newBuilder()
            .setRunId(runId())
            .setTrainerId(trainerId)
            .setModel(s.model())
            .setSeed(episode.seed())
            .setEpisode(episodeIndex)
            .setAborted(aborted)
            .setAbortReason(reason)
            .setSteps(episode.stepCount())
            .setTestAccuracy(testAccuracy)
            .setGlobalDensity(episode.globalDensity())
            .setTargetDensity(s.density())
            .setTrainingFlops(episode.trainingFlops())
            .setReturn(episodeReturn)
            .setPolicyVersion(episodePolicyVersion)
            .addAllDecisionSteps(decisionSteps);
    for (int i = 0; i < staticLayers.size(); i++) {
      LayerSchedule.Builder l = LayerSchedule.newBuilder().setIndex(i);
      for (double[] d : schedule) {
        l.addDensity(d[i]);
      }
      b.addSchedule(l);
    }
    return b.build();
  }

  private Behavior<Command> finish() {
    if (registry != null && registered) {
      registry.tell(
          DeregisterTrainer.newBuilder()
              .setTrainerId(trainerId)
              .setReason("finished " + s.episodes() + " episodes")
              .build());
    }
    getContext().getLog().info("{}: finished {} episodes", trainerId, episodeIndex);
    return Behaviors.stopped();
  }

  private Behavior<Command> onStop(Stop stop) {
    if (episode != null) {
      EpisodeSummary summary = summary(true, "shutdown", 0);
      // The journal confirms to the caller once the line is on disk.
      journal.tell(new EpisodeJournal.Append(summary, stop.replyTo()));
      if (registered && explorer != null) {
        explorer.tell(summary);
      }
    } else {
      stop.replyTo().tell(Done.getInstance());
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    if (episode != null) {
      episode.close();
      episode = null;
    }
    return this;
  }

  private void recordStepState(io.jitsparse.env.train.StepState st) {
    if (subscribers.isEmpty()) {
      return;
    }
    StepState.Builder b =
        StepState.newBuilder()
            .setTrainerId(trainerId)
            .setEpisode(episodeIndex)
            .setStep(st.step())
            .setLoss(st.loss())
            .setAccuracy(st.accuracy())
            .setLearningRate(st.learningRate());
    for (double d : st.densities()) {
      b.addLayerDensities(d);
    }
    stepStates.add(b.build());
    if (stepStates.size() >= s.stepStateBatch()) {
      StepStateBatch batch = StepStateBatch.newBuilder().addAllStates(stepStates).build();
      subscribers.forEach(sub -> sub.tell(batch));
      stepStates.clear();
    }
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
      return onSummaryAck(a);
    } else if (m instanceof TrainerRegistered r) {
      onRegistered(r);
    } else if (m instanceof RegistrationRejected r) {
      getContext().getLog().warn("{}: registration rejected: {}", trainerId, r.getReason());
      meters.registrationsRejected.increment();
      registered = false;
      explorer = null;
      timers.cancel(REGISTER_TIMER);
    } else if (m instanceof SubscribeStepStates sub) {
      if (subscribers.size() < MAX_SUBSCRIBERS) {
        subscribers.add(resolver.resolveActorRef(sub.getSubscriberRef()));
      } else {
        getContext().getLog().warn("{}: step-state subscriber limit reached", trainerId);
      }
    } else if (m instanceof UnsubscribeStepStates sub) {
      subscribers.remove(resolver.resolveActorRef(sub.getSubscriberRef()));
    } else {
      getContext()
          .getLog()
          .warn("{}: ignoring unexpected {}", trainerId, m.getDescriptorForType().getFullName());
    }
    return this;
  }

  private void onAction(SparsityAction a) {
    if (a.getEpisode() < episodeIndex || (a.getEpisode() == episodeIndex && episode == null)) {
      acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
      meters.stale.increment();
      getContext()
          .getLog()
          .debug(
              "{}: stale action of episode {} (now {})", trainerId, a.getEpisode(), episodeIndex);
      return;
    }
    var bad =
        a.getTrainerId().equals(trainerId)
            ? MessageChecks.action(a, episodeIndex, lastDecisionSent, staticLayers.size())
            : java.util.Optional.of("action for trainer " + a.getTrainerId());
    if (bad.isPresent()) {
      meters.rejected.increment();
      getContext().getLog().warn("{}: rejected action: {}", trainerId, bad.get());
      return;
    }
    acknowledge(a.getEpisode(), a.getDecision(), a.getObservationSentAtNanos());
    boolean newer =
        a.getDecision() > lastAppliedDecision
            && (pendingAction == null || a.getDecision() >= pendingAction.getDecision());
    if (!newer) {
      meters.superseded.increment();
      return;
    }
    if (pendingAction != null) {
      meters.superseded.increment();
    }
    pendingAction = a;
  }

  private void acknowledge(long episodeOf, long decisionOf, long sentAt) {
    Pending p = unacked.remove(new Key(episodeOf, decisionOf));
    if (p != null && p.observation.getSentAtNanos() == sentAt) {
      meters.latency.record(Duration.ofNanos(System.nanoTime() - sentAt));
    }
  }

  private Behavior<Command> onSummaryAck(EpisodeSummaryAck a) {
    outbox.removeIf(
        e -> e.getEpisode() == a.getEpisode() && e.getTrainerId().equals(a.getTrainerId()));
    // All episodes done and every summary taken by the agent: nothing left to wait for.
    return finished && outbox.isEmpty() ? finish() : this;
  }

  // ---------------------------------------------------------------------------------------------
  // Registration and resends

  private Behavior<Command> onListing(ListingUpdate u) {
    Set<ActorRef<Message>> refs = u.listing().getServiceInstances(ServiceKeys.TRAINER_REGISTRY);
    if (registry != null && refs.contains(registry)) {
      return this;
    }
    registered = false;
    explorer = null;
    if (refs.isEmpty()) {
      registry = null;
      timers.cancel(REGISTER_TIMER);
      getContext().getLog().info("{}: no trainer registry; following the fallback", trainerId);
      return this;
    }
    List<ActorRef<Message>> sorted = new ArrayList<>(refs);
    sorted.sort(Comparator.comparing(r -> r.path().toString()));
    registry = sorted.get(Math.floorMod(trainerId.hashCode(), sorted.size()));
    sendRegister();
    timers.startTimerWithFixedDelay(REGISTER_TIMER, new RegisterTick(), s.registerRetry());
    return this;
  }

  private Behavior<Command> onRegisterTick() {
    if (registered || registry == null) {
      timers.cancel(REGISTER_TIMER);
    } else {
      sendRegister();
    }
    return this;
  }

  private void sendRegister() {
    if (registry == null || registered || staticLayers == null) {
      return;
    }
    registry.tell(
        RegisterTrainer.newBuilder()
            .setTrainer(
                TrainerDescription.newBuilder()
                    .setTrainerId(trainerId)
                    .setNode(node)
                    .setModel(s.model())
                    .setSeed(s.seed())
                    .setTargetDensity(s.density())
                    .setEpisodeSteps(s.episodeSteps())
                    .setDecisionInterval(s.decisionInterval())
                    .addAllLayers(staticLayers))
            .setTrainerRef(resolver.toSerializationFormat(wire))
            .build());
  }

  private void onRegistered(TrainerRegistered r) {
    if (!r.getTrainerId().equals(trainerId)) {
      getContext().getLog().warn("{}: registration reply for {}", trainerId, r.getTrainerId());
      return;
    }
    ActorRef<Message> ref = resolver.resolveActorRef(r.getExplorerRef());
    boolean fresh = !registered || !ref.equals(explorer);
    registered = true;
    explorer = ref;
    agentRunId = r.getRunId();
    timers.cancel(REGISTER_TIMER);
    if (fresh) {
      getContext().getLog().info("{}: registered, explorer {}", trainerId, ref.path());
      long now = System.nanoTime();
      for (Pending p : unacked.values()) {
        explorer.tell(p.observation);
        p.lastSent = now;
      }
      resendOutbox(now);
    }
  }

  private Behavior<Command> onResendTick() {
    long now = System.nanoTime();
    long timeout = s.ackTimeout().toNanos();
    if (registered && explorer != null) {
      for (Pending p : unacked.values()) {
        if (now - p.lastSent >= timeout) {
          explorer.tell(p.observation);
          p.lastSent = now;
          meters.resent.increment();
        }
      }
      if (!outbox.isEmpty() && now - outboxSentAt >= timeout) {
        resendOutbox(now);
      }
    }
    timers.startSingleTimer(RESEND_TIMER, new ResendTick(), resendPeriod());
    return this;
  }

  private void resendOutbox(long now) {
    if (explorer == null) {
      return;
    }
    outbox.forEach(explorer::tell);
    outboxSentAt = now;
  }

  private void send(Observation o) {
    if (unacked.size() >= s.maxUnackedObservations()) {
      Iterator<Map.Entry<Key, Pending>> oldest = unacked.entrySet().iterator();
      Key dropped = oldest.next().getKey();
      oldest.remove();
      meters.observationsDropped.increment();
      getContext()
          .getLog()
          .warn(
              "{}: unacknowledged window full, dropped observation {}/{}",
              trainerId,
              dropped.episode(),
              dropped.decision());
    }
    unacked.put(new Key(o.getEpisode(), o.getDecision()), new Pending(o, System.nanoTime()));
    lastDecisionSent = o.getDecision();
    decision = o.getDecision() + 1;
    if (registered && explorer != null) {
      explorer.tell(o);
    }
  }

  private void toOutbox(EpisodeSummary summary) {
    if (outbox.size() >= s.maxPendingSummaries()) {
      EpisodeSummary dropped = outbox.removeFirst();
      meters.summariesDropped.increment();
      getContext()
          .getLog()
          .warn("{}: summary outbox full, dropped episode {}", trainerId, dropped.getEpisode());
    }
    outbox.addLast(summary);
    if (registered && explorer != null) {
      explorer.tell(summary);
      outboxSentAt = System.nanoTime();
    }
  }

  /**
   * Not registered, or the oldest unacknowledged observation has waited longer than {@code
   * agent-timeout}: the agent cannot steer in time, so the fallback schedule does.
   */
  private boolean agentUnreachable() {
    if (!registered || explorer == null) {
      return true;
    }
    if (unacked.isEmpty()) {
      return false;
    }
    long oldest = unacked.values().iterator().next().firstSent;
    return System.nanoTime() - oldest > s.agentTimeout().toNanos();
  }

  private Duration resendPeriod() {
    Duration half = s.ackTimeout().dividedBy(2);
    return half.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : half;
  }

  private String runId() {
    return s.runId().isEmpty() ? agentRunId : s.runId();
  }

  private static List<LayerFeatures> staticLayers(List<PrunableTensor> tensors) {
    List<LayerFeatures> out = new ArrayList<>(tensors.size());
    for (PrunableTensor t : tensors) {
      out.add(
          LayerFeatures.newBuilder()
              .setIndex(t.index())
              .setKind(
                  t.kind() == PrunableTensor.Kind.CONV
                      ? LayerKind.LAYER_KIND_CONV
                      : LayerKind.LAYER_KIND_DENSE)
              .setFanIn(t.fanIn())
              .setFanOut(t.fanOut())
              .setParameterCount(t.size())
              .setRelativeDepth(tensors.size() == 1 ? 0 : (double) t.index() / (tensors.size() - 1))
              .build());
    }
    return List.copyOf(out);
  }

  private static double[] toArray(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** Non-finite features (a diverged network) are reported as 0 so the observation stays valid. */
  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** The trainer's meters; rare-event counters exist at zero from the start so they are scraped. */
  private static final class Meters {
    final Counter applied;
    final Counter stale;
    final Counter rejected;
    final Counter superseded;
    final Counter observationsDropped;
    final Counter summariesDropped;
    final Counter resent;
    final Counter steps;
    final Counter fallback;
    final Counter registrationsRejected;
    final Timer latency;

    Meters(MeterRegistry r, String trainer) {
      Tags t = Tags.of("trainer", trainer);
      applied = r.counter("jitsparse.trainer.actions", t.and("outcome", "applied"));
      stale = r.counter("jitsparse.trainer.actions", t.and("outcome", "stale"));
      rejected = r.counter("jitsparse.trainer.actions", t.and("outcome", "rejected"));
      superseded = r.counter("jitsparse.trainer.actions", t.and("outcome", "superseded"));
      observationsDropped = r.counter("jitsparse.trainer.observations.dropped", t);
      summariesDropped = r.counter("jitsparse.trainer.summaries.dropped", t);
      resent = r.counter("jitsparse.trainer.observations.resent", t);
      steps = r.counter("jitsparse.trainer.steps", t);
      fallback = r.counter("jitsparse.trainer.fallback.decisions", t);
      registrationsRejected = r.counter("jitsparse.trainer.registrations.rejected", t);
      latency = r.timer("jitsparse.trainer.decision.latency", t);
    }
  }
}
