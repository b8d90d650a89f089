package io.jitsparse.env.loadgen;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters shared by all simulated trainers of one load generator. Trainers run concurrently, so
 * the counts are adders (cheap, contention-free increments); the load generator reads them with
 * {@link #snapshot()} at the start and end of the measured window and reports the differences.
 */
public final class LoadCounters {

  final LongAdder observations = new LongAdder();
  final LongAdder resends = new LongAdder();
  final LongAdder droppedObservations = new LongAdder();
  final LongAdder rejectedActions = new LongAdder();
  final LongAdder staleActions = new LongAdder();
  final LongAdder actions = new LongAdder();
  final LongAdder summaries = new LongAdder();
  final LongAdder droppedSummaries = new LongAdder();
  final LongAdder rejectedRegistrations = new LongAdder();

  /** Observations sent and neither acknowledged nor dropped yet. */
  final AtomicLong unacked = new AtomicLong();

  /** Trainers registered with a registry right now. */
  final AtomicLong registered = new AtomicLong();

  /** The counters' values at one instant (each read separately; close enough for a report). */
  public record Snapshot(
      long observations,
      long resends,
      long droppedObservations,
      long rejectedActions,
      long staleActions,
      long actions,
      long summaries,
      long droppedSummaries,
      long rejectedRegistrations,
      long unacked,
      long registered) {}

  /** Reads every counter. */
  public Snapshot snapshot() {
    return new Snapshot(
        observations.sum(),
        resends.sum(),
        droppedObservations.sum(),
        rejectedActions.sum(),
        staleActions.sum(),
        actions.sum(),
        summaries.sum(),
        droppedSummaries.sum(),
        rejectedRegistrations.sum(),
        unacked.get(),
        registered.get());
  }

  /** Exposes the counters as {@code jitsparse_loadgen_*} meters on {@code registry}. */
  public void bindTo(MeterRegistry registry) {
    counter(
        registry,
        "jitsparse.loadgen.observations",
        observations,
        "observations sent (first sends)");
    counter(
        registry, "jitsparse.loadgen.resends", resends, "observations resent after ack-timeout");
    counter(
        registry,
        "jitsparse.loadgen.dropped.observations",
        droppedObservations,
        "observations dropped from a full window");
    counter(registry, "jitsparse.loadgen.rejected.actions", rejectedActions, "actions rejected");
    counter(registry, "jitsparse.loadgen.stale.actions", staleActions, "actions of a past episode");
    counter(registry, "jitsparse.loadgen.actions", actions, "actions received");
    counter(registry, "jitsparse.loadgen.summaries", summaries, "episode summaries sent");
    counter(
        registry,
        "jitsparse.loadgen.dropped.summaries",
        droppedSummaries,
        "episode summaries dropped from a full outbox");
    Gauge.builder("jitsparse.loadgen.unacked", unacked, AtomicLong::get)
        .description("observations awaiting acknowledgement")
        .register(registry);
    Gauge.builder("jitsparse.loadgen.registered", registered, AtomicLong::get)
        .description("simulated trainers registered")
        .register(registry);
  }

  private static void counter(MeterRegistry r, String name, LongAdder adder, String help) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(help).register(r);
  }
}
