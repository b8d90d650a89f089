package io.jitsparse.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Measures how late the cluster's own threads get to run: a tick scheduled every {@code interval}
 * on the dispatcher the cluster's heartbeats run on (Pekko's internal dispatcher) records, each
 * time it runs, how much later than due it ran ({@code
 * jitsparse_cluster_scheduling_delay_seconds}). It is the delay Pekko's heartbeat sender warns
 * about ("Scheduled sending of heartbeat was delayed"): when training threads take every core,
 * heartbeats go out late and a healthy node can be marked unreachable. Together with {@code
 * jitsparse_cluster_unreachable_events_total} it shows whether a node under load stays trustworthy
 * to the failure detector.
 */
public final class SchedulingDelayProbe {

  /** Where the cluster's heartbeats run ({@code pekko.cluster.use-dispatcher} by default). */
  public static final DispatcherSelector CLUSTER_DISPATCHER =
      DispatcherSelector.fromConfig("pekko.actor.internal-dispatcher");

  /** The tick: a timer message of the probe itself. */
  public sealed interface Command {}

  private record Tick() implements Command {}

  private SchedulingDelayProbe() {}

  /**
   * The probe; spawn it with {@link #CLUSTER_DISPATCHER}. {@code interval}: the cluster's heartbeat
   * interval (1 s by default).
   */
  public static Behavior<Command> create(MeterRegistry registry, Duration interval) {
    Timer delay =
        Timer.builder("jitsparse.cluster.scheduling.delay")
            .description(
                "how late a tick on the cluster's dispatcher ran (heartbeats wait as long)")
            .serviceLevelObjectives(MetricBuckets.LATENCY)
            .register(registry);
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  long[] due = {System.nanoTime() + interval.toNanos()};
                  timers.startTimerAtFixedRate(new Tick(), interval);
                  return Behaviors.receive(Command.class)
                      .onMessage(
                          Tick.class,
                          t -> {
                            long now = System.nanoTime();
                            delay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
                            // at a fixed rate the next tick is due one interval after this one
                            // was, however late this one ran
                            due[0] = Math.max(due[0] + interval.toNanos(), now);
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
