package io.jitsparse.agent.learner;

import com.google.protobuf.ByteString;
import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.replay.PrioritizedSlots;
import io.jitsparse.agent.replay.Replay;
import io.jitsparse.agent.replay.SampledBatch;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The Ape-X learner (Horgan et al. 2018, Algorithm 2) as an actor: it asks the {@link Replay} for a
 * prioritised batch, runs one {@link QLearner} update, sends the batch's new priorities back and
 * asks for the next, so it learns exactly as fast as the replay's samples-per-insert limit lets it.
 * Every {@code publish-interval} updates it publishes a new policy version through the {@link
 * PolicyPublisher}; every {@code checkpoint-interval} updates and when it stops it writes a {@link
 * LearnerCheckpoint}, and at start it resumes from the newest one (else warm-starts from {@code
 * policy}, else starts fresh). It also numbers the episodes it hears of and logs them to the
 * learning curve ({@link CurveLog}).
 *
 * <p>A gradient step blocks its thread for milliseconds, so the gateway spawns the learner on
 * {@code jitsparse.learner-dispatcher} (one thread), never on the default dispatcher; checkpoint
 * writes happen on that thread too, between updates.
 */
public final class Learner extends AbstractBehavior<Learner.Command> {

  /** The learner's dispatcher. */
  public static final String DISPATCHER = "jitsparse.learner-dispatcher";

  /** What the learner handles. */
  public sealed interface Command extends LocalCommand permits Batch, EpisodeEnded {}

  /** A sampled batch from the replay. */
  private record Batch(SampledBatch batch) implements Command {}

  /** An episode summary the gateway received (deduplicated). */
  public record EpisodeEnded(EpisodeSummary summary) implements Command {}

  private final LearnerSettings s;
  private final String runId;
  private final ActorRef<Replay.Command> replay;
  private final ActorRef<PolicyPublisher.Command> publisher;
  private final ActorRef<Replay.Sampled> samples;
  private final Optional<ActorRef<CurveLog.Command>> curve;
  private final QLearner learner;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter updatesCounter;
  private final Timer updateTime;
  private final long startNanos = System.nanoTime();
  private final double elapsedBefore;
  private long version;
  private long episodes;
  private long transitions;
  private long lastCheckpointNanos = System.nanoTime();
  private double lastLoss = Double.NaN;
  private double lastTdError = Double.NaN;
  private double lastMeanQ = Double.NaN;
  // Returns of the newest episodes, for the mean-return gauge the progress line shows.
  private final java.util.ArrayDeque<Double> recentReturns = new java.util.ArrayDeque<>();

  /** Episodes the mean-return gauge averages over. */
  static final int RETURN_WINDOW = 20;

  /** The learner on its own dispatcher. */
  public static DispatcherSelector dispatcher() {
    return DispatcherSelector.fromConfig(DISPATCHER);
  }

  /**
   * @param s the learning settings
   * @param runId recorded in checkpoints
   */
  public static Behavior<Command> create(
      LearnerSettings s,
      String runId,
      ActorRef<Replay.Command> replay,
      ActorRef<PolicyPublisher.Command> publisher,
      MeterRegistry meters) {
    return Behaviors.setup(ctx -> new Learner(ctx, s, runId, replay, publisher, meters));
  }

  private Learner(
      ActorContext<Command> ctx,
      LearnerSettings s,
      String runId,
      ActorRef<Replay.Command> replay,
      ActorRef<PolicyPublisher.Command> publisher,
      MeterRegistry registry) {
    super(ctx);
    this.s = s;
    this.runId = runId;
    this.replay = replay;
    this.publisher = publisher;
    this.registry = registry;
    this.samples = ctx.messageAdapter(Replay.Sampled.class, r -> new Batch(r.batch()));
    Optional<LearnerCheckpoint> restored = restore(ctx);
    if (restored.isPresent()) {
      LearnerCheckpoint c = restored.get();
      this.learner = QLearner.restore(s.qLearner(), c.learner());
      this.version = c.policyVersion();
      this.episodes = c.episodes();
      this.transitions = c.transitions();
      this.elapsedBefore =
          c.info().get("elapsed_seconds") instanceof Number n ? n.doubleValue() : 0;
      ctx.getLog()
          .info(
              "learner resumed: policy v{}, {} updates, {} episodes",
              version,
              learner.updates(),
              episodes);
    } else {
      this.learner = new QLearner(s.qLearner());
      this.elapsedBefore = 0;
      if (!s.warmStart().isEmpty()) {
        try {
          GreedyPolicy warm = GreedyPolicy.load(Path.of(s.warmStart()));
          learner.warmStart(warm.qFunction());
          ctx.getLog().info("learner warm-started from {}", warm.source());
        } catch (IOException | IllegalArgumentException e) {
          // A bad --policy must not take the learner down with it: learn from scratch, loudly.
          ctx.getLog()
              .error(
                  "policy {} not usable, learning from scratch: {}", s.warmStart(), e.getMessage());
        }
      }
    }
    this.curve =
        s.out().isEmpty()
            ? Optional.empty()
            : Optional.of(
                ctx.spawn(
                    CurveLog.create(Path.of(s.out())),
                    "curve",
                    DispatcherSelector.fromConfig("jitsparse.agent-io-dispatcher")));
    this.updatesCounter =
        Counter.builder("jitsparse.agent.learner.updates")
            .description("learner updates (gradient steps)")
            .register(registry);
    this.updateTime =
        Timer.builder("jitsparse.agent.learner.update.time")
            .description("time of one learner update")
            .register(registry);
    gauge("jitsparse.agent.learner.loss", "weighted Huber loss of the last update", () -> lastLoss);
    gauge(
        "jitsparse.agent.learner.td.error",
        "mean |TD error| of the last update",
        () -> lastTdError);
    gauge(
        "jitsparse.agent.learner.q.mean",
        "mean Q-value of the last update's moves",
        () -> lastMeanQ);
    gauge(
        "jitsparse.agent.policy.published.version",
        "newest policy version published",
        () -> version);
    gauge(
        "jitsparse.agent.learner.return.mean",
        "mean return of the newest " + RETURN_WINDOW + " finished episodes",
        () -> recentReturns.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
    gauge(
        "jitsparse.agent.learner.checkpoint.age",
        "seconds since the last checkpoint",
        "seconds",
        () -> (System.nanoTime() - lastCheckpointNanos) / 1e9);
    // A fresh learner's first version is its initial network; a resumed one republishes its own.
    publish(Math.max(1, version));
    requestSample();
  }

  private Optional<LearnerCheckpoint> restore(ActorContext<Command> ctx) {
    Optional<Path> dir = s.checkpointDir();
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    List<String> warnings = new ArrayList<>();
    try {
      Optional<LearnerCheckpoint> c = LearnerCheckpoint.latest(dir.get(), warnings);
      warnings.forEach(w -> ctx.getLog().warn("skipped checkpoint: {}", w));
      return c;
    } catch (IOException e) {
      ctx.getLog().error("checkpoints in {} unreadable: {}", dir.get(), e.getMessage());
      return Optional.empty();
    }
  }

  private void gauge(String name, String description, java.util.function.DoubleSupplier value) {
    gauge(name, description, null, value);
  }

  private void gauge(
      String name, String description, String baseUnit, java.util.function.DoubleSupplier value) {
    meters.add(
        Gauge.builder(name, value, java.util.function.DoubleSupplier::getAsDouble)
            .description(description)
            .baseUnit(baseUnit)
            // A gauge holds its object weakly: nothing else keeps these lambdas, so without a
            // strong reference the first GC turns every learner gauge into NaN.
            .strongReference(true)
            .register(registry));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Batch.class, this::onBatch)
        .onMessage(EpisodeEnded.class, this::onEpisode)
        .onSignal(PostStop.class, sig -> onStop())
        .build();
  }

  private Behavior<Command> onBatch(Batch b) {
    long t0 = System.nanoTime();
    QLearner.Update u = learner.update(b.batch());
    updateTime.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    updatesCounter.increment();
    transitions += b.batch().size();
    lastLoss = u.loss();
    lastTdError = u.meanAbsTdError();
    lastMeanQ = u.meanQ();
    replay.tell(new Replay.UpdatePriorities(b.batch().slots(), b.batch().ids(), u.priorities()));
    if (learner.updates() % s.publishInterval() == 0) {
      publish(version + 1);
    }
    if (learner.updates() % s.checkpointInterval() == 0) {
      checkpoint();
    }
    requestSample();
    return this;
  }

  private void requestSample() {
    double beta = PrioritizedSlots.beta(s.betaStart(), learner.updates(), s.betaUpdates());
    replay.tell(new Replay.Sample(s.batchSize(), beta, samples));
  }

  private void publish(long newVersion) {
    version = newVersion;
    publisher.tell(
        new PolicyPublisher.Publish(
            PolicySnapshot.newBuilder()
                .setVersion(version)
                .setFormat(io.jitsparse.agent.policy.QFunction.FORMAT)
                .setParameters(ByteString.copyFrom(learner.policy().toBytes()))
                .setLearnerUpdates(learner.updates())
                .build()));
    replay.tell(new Replay.PolicyVersion(version));
  }

  private Behavior<Command> onEpisode(EpisodeEnded e) {
    long n = episodes++;
    if (!e.summary().getAborted()) {
      recentReturns.addLast(e.summary().getReturn());
      while (recentReturns.size() > RETURN_WINDOW) {
        recentReturns.removeFirst();
      }
    }
    curve.ifPresent(c -> c.tell(new CurveLog.Append(n, elapsedSeconds(), e.summary())));
    return this;
  }

  private double elapsedSeconds() {
    return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
  }

  private void checkpoint() {
    Optional<Path> dir = s.checkpointDir();
    if (dir.isEmpty()) {
      return;
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("run_id", runId);
    info.put("elapsed_seconds", elapsedSeconds());
    info.put("feature_encoding", FeatureEncoder.VERSION);
    info.put("hidden_sizes", s.hidden());
    try {
      Path file =
          new LearnerCheckpoint(
                  version, learner.updates(), transitions, episodes, learner.state(), info)
              .write(dir.get(), s.checkpointKeep());
      lastCheckpointNanos = System.nanoTime();
      getContext().getLog().debug("checkpoint {}", file);
    } catch (IOException e) {
      getContext().getLog().error("checkpoint in {} failed: {}", dir.get(), e.getMessage());
    }
  }

  private Behavior<Command> onStop() {
    checkpoint();
    getContext()
        .getLog()
        .info(
            "learner stopped at policy v{} after {} updates and {} episodes",
            version,
            learner.updates(),
            episodes);
    learner.close();
    meters.forEach(registry::remove);
    registry.remove(updatesCounter);
    registry.remove(updateTime);
    return this;
  }
}
