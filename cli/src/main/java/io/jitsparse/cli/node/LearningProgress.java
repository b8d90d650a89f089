package io.jitsparse.cli.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Prints a progress line of learning every period: time used of the budget, episodes the learner
 * heard of, their mean return, the policy version, the rate of transitions reaching the replay and
 * the learner's updates, read from the agent's meters on the node's registry.
 */
public final class LearningProgress {

  private LearningProgress() {}

  /**
   * @param budget the learning budget (zero: unbounded, no ETA)
   */
  public static Behavior<Long> create(
      MeterRegistry meters, Duration budget, Duration period, PrintStream out, String label) {
    long start = System.nanoTime();
    double[] last = {0, 0};
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(0L, period);
          return Behaviors.receive(Long.class)
              .onMessage(
                  Long.class,
                  tick -> {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double transitions =
                        counter(meters, "jitsparse.agent.replay.transitions.received");
                    double rate = (transitions - last[0]) / Math.max(1e-9, seconds - last[1]);
                    last[0] = transitions;
                    last[1] = seconds;
                    String of =
                        budget.isZero()
                            ? RunProgress.clock(Math.round(seconds))
                            : RunProgress.clock(Math.round(seconds))
                                + "/"
                                + RunProgress.clock(budget.toSeconds());
                    out.printf(
                        Locale.ROOT,
                        "%s: [%s] %d episodes, mean return %.4f, policy v%d, %.2f transitions/s,"
                            + " %d updates%s%n",
                        label,
                        of,
                        Math.round(counter(meters, "jitsparse.agent.learner.episodes")),
                        gauge(meters, "jitsparse.agent.learner.return.mean"),
                        Math.round(gauge(meters, "jitsparse.agent.policy.published.version")),
                        rate,
                        Math.round(counter(meters, "jitsparse.agent.learner.updates")),
                        budget.isZero()
                            ? ""
                            : ", ETA "
                                + RunProgress.clock(
                                    Math.max(0, budget.toSeconds() - Math.round(seconds))));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static double counter(MeterRegistry m, String name) {
    return m.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static double gauge(MeterRegistry m, String name) {
    Gauge g = m.find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }
}
