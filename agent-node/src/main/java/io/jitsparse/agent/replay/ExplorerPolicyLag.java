package io.jitsparse.agent.replay;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ape-X's policy lag per explorer: for each trainer's explorer, how many versions the policy that
 * acted in its newest transitions was behind the published one when they reached the replay (gauge
 * {@code jitsparse_agent_explorer_policy_lag{trainer}}). At most {@code maxSeries} trainers are
 * tracked; the one heard from least recently gives way, so trainers that come and go over a long
 * run cannot grow the number of series.
 */
final class ExplorerPolicyLag implements AutoCloseable {

  private static final class Series {
    volatile double lag;
    Gauge gauge;
  }

  private final MeterRegistry registry;
  private final int maxSeries;
  private final LinkedHashMap<String, Series> byTrainer = new LinkedHashMap<>(16, 0.75f, true);

  ExplorerPolicyLag(MeterRegistry registry, int maxSeries) {
    if (maxSeries < 1) {
      throw new IllegalArgumentException("max lag series " + maxSeries + " < 1");
    }
    this.registry = registry;
    this.maxSeries = maxSeries;
  }

  /**
   * Records the lag of the newest batch from explorer {@code explorerId} ({@code <trainer
   * id>/<uid>}, see {@code Explorer.explorerId}).
   */
  void record(String explorerId, long lag) {
    int slash = explorerId.lastIndexOf('/');
    String trainer = slash > 0 ? explorerId.substring(0, slash) : explorerId;
    Series s = byTrainer.get(trainer);
    if (s == null) {
      if (byTrainer.size() >= maxSeries) {
        Iterator<Map.Entry<String, Series>> eldest = byTrainer.entrySet().iterator();
        registry.remove(eldest.next().getValue().gauge);
        eldest.remove();
      }
      Series fresh = new Series();
      fresh.gauge =
          Gauge.builder("jitsparse.agent.explorer.policy.lag", fresh, x -> x.lag)
              .description("versions the explorer's newest transitions were behind the published")
              .tag("trainer", trainer)
              .strongReference(true)
              .register(registry);
      byTrainer.put(trainer, fresh);
      s = fresh;
    }
    s.lag = lag;
  }

  /** Trainers tracked now. */
  int size() {
    return byTrainer.size();
  }

  @Override
  public void close() {
    byTrainer.values().forEach(s -> registry.remove(s.gauge));
    byTrainer.clear();
  }
}
