package io.jitsparse.monitoring;

import java.time.Duration;

/**
 * The fixed histogram buckets and label formats every node uses (docs/metrics.md), so that
 * dashboards and alerts can rely on them and the number of series stays bounded: a histogram costs
 * one series per bucket and label set.
 */
public final class MetricBuckets {

  /**
   * Decision round trips: 1 ms (same JVM, idle) to 30 s (an agent busy or away, just before the
   * trainer's ack timeout falls back).
   */
  public static final Duration[] LATENCY = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(200),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  /** Percent per ratio: histograms of ratios record percent (see {@link #ACCURACY_PERCENT}). */
  public static final double PERCENT = 100;

  /**
   * Accuracy in percent: chance (10 on ten classes) to 100 by 5. In percent, not as a ratio,
   * because Micrometer's fixed-bucket histograms round each recorded value up to an integer.
   */
  public static final double[] ACCURACY_PERCENT = steps(10, 100, 5);

  /**
   * Policy lag in versions: at most 1 behind (fresh; bucket bounds must be positive) to 100 (a
   * far-behind or reconnecting explorer).
   */
  public static final double[] POLICY_LAG = {1, 2, 5, 10, 20, 50, 100};

  private MetricBuckets() {}

  /**
   * The {@code layer} label of layer {@code index}: two digits, so that Grafana's lexical order of
   * series is the model's order for up to 100 layers.
   */
  public static String layerLabel(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("layer index " + index + " < 0");
    }
    return String.format(java.util.Locale.ROOT, "%02d", index);
  }

  private static double[] steps(double from, double to, double by) {
    int n = (int) Math.round((to - from) / by) + 1;
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      b[i] = from + i * by;
    }
    return b;
  }
}
