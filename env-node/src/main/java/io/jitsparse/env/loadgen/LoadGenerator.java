package io.jitsparse.env.loadgen;

import com.google.protobuf.Message;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.ReplayStatsQuery;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Runs one load test: reads the models' layer shapes, waits until an agent-node's trainer registry
 * is listed, spawns {@code trainers} {@link SimulatedTrainer}s staggered over one interval, lets
 * them warm up, then measures a window of {@code duration}: round trips (from the shared {@link
 * LatencyRecorder}), observations sent, drops, and the transitions that reached the replay (the
 * growth of {@code ReplayStats.transitions_received} between a query at the window's start and one
 * at its end, asked of the learner singleton). It prints a progress line every {@value
 * #PROGRESS_SECONDS} s, sends the {@link LoadReport} to {@code reportTo} and stops the trainers
 * (they deregister).
 */
public final class LoadGenerator extends AbstractBehavior<LoadGenerator.Command> {

  /** What the load generator handles; all of it is local or wrapped. */
  public sealed interface Command extends LocalCommand
      permits ShapesReady,
          ShapesFailed,
          Listing,
          Wire,
          WindowStart,
          WindowEnd,
          StatsTimeout,
          Tick {}

  private record ShapesReady(Map<String, List<PrunableTensor>> shapes) implements Command {}

  private record ShapesFailed(Throwable cause) implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private record Wire(Message message) implements Command {}

  private record WindowStart() implements Command {}

  private record WindowEnd() implements Command {}

  private record StatsTimeout() implements Command {}

  private record Tick() implements Command {}

  private enum Phase {
    STARTING,
    WARMUP,
    MEASURING,
    CLOSING,
    DONE
  }

  private static final int PROGRESS_SECONDS = 5;

  /** How long to wait for the learner's replay statistics at the end of the window. */
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private static final double NANOS_PER_SECOND = 1e9;
  private static final String PREFIX = "jitsparse loadgen: ";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final LoadgenSettings settings;
  private final ActorRef<LoadReport> reportTo;
  private final LatencyRecorder recorder = new LatencyRecorder();
  private final LoadCounters counters = new LoadCounters();
  private final ActorRef<Message> learner;
  private final String replyTo;
  private final List<ActorRef<SimulatedTrainer.Command>> trainers = new ArrayList<>();
  private final long startedAt = System.nanoTime();

  private Phase phase = Phase.STARTING;
  private Map<String, List<PrunableTensor>> shapes;
  private boolean registryListed;
  private LoadCounters.Snapshot atStart;
  private LoadCounters.Snapshot atEnd;
  private long windowStartNanos;
  private long windowEndNanos;
  private ReplayStats statsAtStart;
  private ReplayStats statsAtEnd;
  private double p50Ms;
  private double p99Ms;
  private double maxMs;
  private long samples;

  /**
   * @param settings the run's settings
   * @param meters where the shared counters are exposed ({@code jitsparse_loadgen_*})
   * @param reportTo receives the report once the window has closed
   */
  public static Behavior<Command> create(
      LoadgenSettings settings, MeterRegistry meters, ActorRef<LoadReport> reportTo) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new LoadGenerator(ctx, timers, settings, meters, reportTo)));
  }

  private LoadGenerator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      LoadgenSettings settings,
      MeterRegistry meters,
      ActorRef<LoadReport> reportTo) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.reportTo = reportTo;
    counters.bindTo(meters);
    ActorRef<Message> wire = ctx.messageAdapter(Message.class, Wire::new);
    this.replyTo = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(wire);
    // On a node without the agent role this only starts the proxy; the agent-nodes run the
    // singleton itself under the same name and role.
    this.learner =
        ClusterSingleton.get(ctx.getSystem())
            .init(
                SingletonActor.of(Behaviors.<Message>empty(), ServiceKeys.LEARNER_SINGLETON)
                    .withSettings(
                        ClusterSingletonSettings.create(ctx.getSystem())
                            .withRole(ServiceKeys.AGENT_ROLE)));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.subscribe(
                ServiceKeys.TRAINER_REGISTRY,
                ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
    // Building the graphs loads ND4J and allocates weights: seconds of blocking work, kept off
    // the default dispatcher.
    List<String> models = settings.models().stream().distinct().toList();
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(
            () -> {
              Map<String, List<PrunableTensor>> m = new LinkedHashMap<>();
              models.forEach(name -> m.put(name, ModelShapes.of(name, settings.width())));
              return m;
            },
            ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
        (m, e) -> m != null ? new ShapesReady(m) : new ShapesFailed(e));
    timers.startTimerAtFixedRate(new Tick(), Duration.ofSeconds(PROGRESS_SECONDS));
    print("reading the layer shapes of " + String.join(", ", models));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ShapesReady.class, this::onShapes)
        .onMessage(ShapesFailed.class, this::onShapesFailed)
        .onMessage(Listing.class, this::onListing)
        .onMessage(WindowStart.class, w -> onWindowStart())
        .onMessage(WindowEnd.class, w -> onWindowEnd())
        .onMessage(Wire.class, this::onWire)
        .onMessage(StatsTimeout.class, t -> onStatsTimeout())
        .onMessage(Tick.class, t -> onTick())
        .build();
  }

  private Behavior<Command> onShapes(ShapesReady r) {
    shapes = r.shapes();
    maybeSpawn();
    return this;
  }

  private Behavior<Command> onShapesFailed(ShapesFailed f) {
    // no shapes, no trainers: a real failure (ND4J could not load), so let supervision see it
    throw new IllegalStateException("cannot read the models' layer shapes", f.cause());
  }

  private Behavior<Command> onListing(Listing l) {
    registryListed = !l.listing().getServiceInstances(ServiceKeys.TRAINER_REGISTRY).isEmpty();
    maybeSpawn();
    return this;
  }

  private void maybeSpawn() {
    if (phase != Phase.STARTING || shapes == null || !registryListed) {
      return;
    }
    int n = settings.trainers();
    long intervalNanos = settings.interval().toNanos();
    String node = settings.nodeName();
    for (int i = 0; i < n; i++) {
      String model = settings.model(i);
      SyntheticObservations synthetic =
          new SyntheticObservations(
              settings.trainerId(i),
              node,
              model,
              shapes.get(model),
              settings.seed() + i,
              settings.episodeDecisions(),
              settings.decisionSteps(),
              settings.targetDensity());
      // staggered over one interval: N trainers deciding "once a second" arrive as a steady
      // stream, not as a burst of N every second
      Duration phaseDelay = Duration.ofNanos(intervalNanos * i / n);
      trainers.add(
          ctx.spawn(
              SimulatedTrainer.create(settings, synthetic, phaseDelay, recorder, counters),
              settings.trainerId(i)));
    }
    phase = Phase.WARMUP;
    timers.startSingleTimer(new WindowStart(), settings.warmup());
    print(
        String.format(
            Locale.ROOT,
            "%d simulated trainers started (%s), warming up for %d s",
            n,
            String.join(", ", settings.models()),
            settings.warmup().toSeconds()));
  }

  private Behavior<Command> onWindowStart() {
    recorder.reset();
    atStart = counters.snapshot();
    windowStartNanos = System.nanoTime();
    phase = Phase.MEASURING;
    learner.tell(ReplayStatsQuery.newBuilder().setReplyTo(replyTo).build());
    timers.startSingleTimer(new WindowEnd(), settings.duration());
    print(
        String.format(
            Locale.ROOT,
            "measuring for %d s (%d of %d trainers registered)",
            settings.duration().toSeconds(),
            atStart.registered(),
            settings.trainers()));
    return this;
  }

  private Behavior<Command> onWindowEnd() {
    atEnd = counters.snapshot();
    windowEndNanos = System.nanoTime();
    samples = recorder.count();
    p50Ms = recorder.percentileMs(0.5);
    p99Ms = recorder.percentileMs(0.99);
    maxMs = recorder.maxMs();
    phase = Phase.CLOSING;
    learner.tell(ReplayStatsQuery.newBuilder().setReplyTo(replyTo).build());
    timers.startSingleTimer(new StatsTimeout(), STATS_TIMEOUT);
    return this;
  }

  private Behavior<Command> onWire(Wire w) {
    if (w.message() instanceof ReplayStats s) {
      if (phase == Phase.MEASURING && statsAtStart == null) {
        statsAtStart = s;
      } else if (phase == Phase.CLOSING) {
        if (statsAtStart == null) {
          // the start query's answer came late (or never): only a later answer is the end's
          statsAtStart = s;
          statsAtEnd = null;
        } else {
          statsAtEnd = s;
          finish();
        }
      }
    }
    return this;
  }

  private Behavior<Command> onStatsTimeout() {
    if (phase == Phase.CLOSING) {
      ctx.getLog().warn("the learner did not answer ReplayStatsQuery; transitions unknown");
      finish();
    }
    return this;
  }

  private void finish() {
    timers.cancelAll();
    phase = Phase.DONE;
    LoadReport report = report();
    reportTo.tell(report);
    print("done: " + report.summaryLine());
    trainers.forEach(t -> t.tell(new SimulatedTrainer.Stop()));
  }

  private LoadReport report() {
    double seconds = (windowEndNanos - windowStartNanos) / NANOS_PER_SECOND;
    long observations = atEnd.observations() - atStart.observations();
    long droppedObservations = atEnd.droppedObservations() - atStart.droppedObservations();
    long rejectedActions = atEnd.rejectedActions() - atStart.rejectedActions();
    boolean replayKnown = statsAtStart != null && statsAtEnd != null;
    Long transitions =
        replayKnown
            ? statsAtEnd.getTransitionsReceived() - statsAtStart.getTransitionsReceived()
            : null;
    long rejectedBatches =
        replayKnown ? statsAtEnd.getRejectedBatches() - statsAtStart.getRejectedBatches() : 0;
    return new LoadReport(
        settings.trainers(),
        atEnd.registered(),
        settings.interval().toNanos() / NANOS_PER_SECOND,
        seconds,
        observations,
        observations / seconds,
        samples,
        p50Ms,
        p99Ms,
        maxMs,
        transitions,
        transitions == null ? null : transitions / seconds,
        droppedObservations + rejectedActions + rejectedBatches,
        droppedObservations,
        rejectedActions,
        rejectedBatches,
        atEnd.staleActions() - atStart.staleActions(),
        atEnd.resends() - atStart.resends(),
        atEnd.summaries() - atStart.summaries(),
        atEnd.unacked());
  }

  private Behavior<Command> onTick() {
    LoadCounters.Snapshot now = counters.snapshot();
    switch (phase) {
      case STARTING ->
          print(
              shapes == null
                  ? "reading layer shapes ..."
                  : "waiting for an agent-node's trainer registry in the receptionist ...");
      case WARMUP ->
          print(
              String.format(
                  Locale.ROOT,
                  "warming up: %d of %d trainers registered, %d observations sent",
                  now.registered(),
                  settings.trainers(),
                  now.observations()));
      case MEASURING -> {
        double elapsed = (System.nanoTime() - windowStartNanos) / NANOS_PER_SECOND;
        double eta = settings.duration().toNanos() / NANOS_PER_SECOND - elapsed;
        print(
            String.format(
                Locale.ROOT,
                "%.0f s measured: %.1f obs/s, rtt p99 so far %.2f ms, dropped %d, ETA %.0f s",
                elapsed,
                (now.observations() - atStart.observations()) / elapsed,
                recorder.percentileMs(0.99),
                now.droppedObservations() - atStart.droppedObservations(),
                Math.max(0, eta)));
      }
      default -> {}
    }
    return this;
  }

  /** Progress lines go to the console: loadgen is a command people and bench/run watch. */
  private void print(String line) {
    double t = (System.nanoTime() - startedAt) / NANOS_PER_SECOND;
    System.out.printf(Locale.ROOT, "%s[%5.1f s] %s%n", PREFIX, t, line);
    System.out.flush();
  }
}
