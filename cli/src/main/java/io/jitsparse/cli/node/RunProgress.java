package io.jitsparse.cli.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Prints a progress line of a bounded run every period: training steps done out of the run's total,
 * the rate and the time left, read from the trainers' {@code jitsparse.trainer.steps} counters on
 * the node's registry (so it needs nothing from the trainers themselves).
 */
public final class RunProgress {

  /** The counter every trainer increments once per training step. */
  static final String STEPS = "jitsparse.trainer.steps";

  private RunProgress() {}

  /** A progress printer for a run of {@code totalSteps} steps over all trainers. */
  public static Behavior<Long> create(
      MeterRegistry meters, long totalSteps, Duration period, PrintStream out) {
    long start = System.nanoTime();
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(0L, period);
          return Behaviors.receive(Long.class)
              .onMessage(
                  Long.class,
                  tick -> {
                    double done =
                        meters.find(STEPS).counters().stream().mapToDouble(Counter::count).sum();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double rate = done / Math.max(seconds, 1e-9);
                    long left = rate > 0 ? Math.round((totalSteps - done) / rate) : -1;
                    out.printf(
                        "jitsparse run: [%s] %d/%d training steps (%.1f%%), %.1f steps/s, ETA %s%n",
                        clock(Math.round(seconds)),
                        Math.round(done),
                        totalSteps,
                        100 * done / Math.max(1, totalSteps),
                        rate,
                        left < 0 ? "?" : clock(left));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** {@code mm:ss} (minutes beyond 59 keep counting). */
  static String clock(long seconds) {
    return String.format("%02d:%02d", seconds / 60, seconds % 60);
  }
}
