package io.jitsparse.env.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Mean and standard deviation of a multi-seed run's figures ({@code summary.json}). */
public final class SeedSummary {

  /** The figures summarised. */
  public static final List<String> FIGURES =
      List.of(
          "test_accuracy",
          "validation_accuracy",
          "global_density",
          "training_flops",
          "flops_vs_dense",
          "wall_seconds",
          "samples_per_second");

  private SeedSummary() {}

  /** The summary of per-seed results. */
  public static Map<String, Object> of(List<Map<String, Object>> results) {
    Map<String, Object> s = new LinkedHashMap<>();
    List<Object> seeds = new ArrayList<>();
    for (Map<String, Object> r : results) {
      seeds.add(r.get("seed"));
    }
    s.put("seeds", seeds);
    if (!results.isEmpty()) {
      s.put("config", results.get(0).get("config"));
    }
    for (String f : FIGURES) {
      double[] v = results.stream().mapToDouble(r -> ((Number) r.get(f)).doubleValue()).toArray();
      double mean = 0;
      for (double x : v) {
        mean += x;
      }
      mean /= v.length;
      double ss = 0;
      for (double x : v) {
        ss += (x - mean) * (x - mean);
      }
      // Sample standard deviation (n - 1), 0 for a single seed.
      double std = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
      s.put(f, Map.of("mean", mean, "std", std, "values", v));
    }
    return s;
  }

  /** One line per figure, for the console. */
  @SuppressWarnings("unchecked")
  public static String describe(Map<String, Object> summary) {
    StringBuilder b = new StringBuilder();
    for (String f : FIGURES) {
      Map<String, Object> m = (Map<String, Object>) summary.get(f);
      b.append(
          String.format(
              Locale.ROOT,
              "  %-20s %.6g +- %.3g%n",
              f,
              (double) m.get("mean"),
              (double) m.get("std")));
    }
    return b.toString();
  }
}
