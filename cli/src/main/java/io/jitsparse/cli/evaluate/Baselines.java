package io.jitsparse.cli.evaluate;

import io.jitsparse.env.density.DensityDistributions;
import io.jitsparse.env.schedule.DensitySchedules;
import io.jitsparse.env.schedule.PruneFractionDecay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The handcrafted methods an evaluation compares the learned policy with, by name: each name is a
 * set of {@code jitsparse.baseline} keys run as an engine method over the evaluation's episode
 * ({@link io.jitsparse.env.trainer.ControlledEpisode#runMethod}), so it shares the episode's seed,
 * data order, batch size, optimiser, learning-rate schedule and step budget and differs only in who
 * moves the masks.
 *
 * <table>
 *   <caption>Names and the engine keys they set</caption>
 *   <tr><th>name</th><th>engine keys</th></tr>
 *   <tr><td>{@code gmp-cubic-erk} (any schedule: {@code gmp-linear-erk}, ...)</td>
 *       <td>method gmp, the name's schedule from dense ({@code gmp-initial-density 1}) at step 0 to
 *       the target at the reference's end (75%), ERK layer densities, magnitude pruning every
 *       mask interval (1% of the run): the budget reference of a learned schedule, key for
 *       key</td></tr>
 *   <tr><td>{@code gmp-cubic-global}</td><td>as above, one magnitude ranking across all layers
 *       ({@code global-pruning})</td></tr>
 *   <tr><td>{@code gmp-cubic} (also {@code gmp-linear}, {@code gmp-cosine}, {@code gmp-step},
 *       {@code gmp-constant})</td><td>as above, uniform layer densities (Zhu and Gupta's
 *       setting)</td></tr>
 *   <tr><td>{@code dst-cosine} (also {@code dst-linear}, {@code dst-constant})</td>
 *       <td>method dst at the target density from step 0, ERK layer densities, magnitude pruning
 *       and gradient growth (RigL) every 100 steps until the end, prune fraction 0.5 to 0.005 with
 *       cosine (the name's) decay</td></tr>
 *   <tr><td>{@code dst-cosine-set} (any decay)</td><td>as {@code dst-cosine}, with random growth
 *       (SET)</td></tr>
 *   <tr><td>{@code dst-cosine-snfs} (any decay)</td><td>as {@code dst-cosine}, with momentum
 *       growth (sparse momentum, SNFS)</td></tr>
 *   <tr><td>{@code static-erk} (also {@code static-er}, {@code static-uniform})</td>
 *       <td>method static: random masks at the target density with ERK (the name's) layer
 *       densities, never changed</td></tr>
 *   <tr><td>{@code dense}</td><td>method dense: the reference that ends dense, not at the
 *       target</td></tr>
 * </table>
 *
 * <p>Why these choices. Baselines keep their own cadence, not the policy's decision interval: GMP
 * prunes every 1% of the run (a hundred gradual steps, finer than Zhu and Gupta's 100 to 1000 steps
 * at these lengths, which only makes it stronger) and stops at 75%, leaving the last quarter to
 * recover; DST updates every 100 steps, RigL's interval (Evci et al. 2020). The strongest of them,
 * not the first, is what a learned schedule is judged against ({@link
 * io.jitsparse.cli.report.PairedComparison}). The other keys (prune fraction, its end, MEST's
 * gamma, ERK's power) are the engine's defaults from {@code jitsparse.baseline}. {@code
 * dst-thresholds} is left out: its final density follows from a regulariser, not from the target,
 * so it would not end where the other methods end.
 */
public final class Baselines {

  /**
   * The baselines {@code jitsparse evaluate} compares with when none are named (comma-separated).
   */
  public static final String DEFAULTS =
      "gmp-cubic-erk,gmp-cubic-global,gmp-cubic,dst-cosine,static-erk";

  /** RigL's update interval (Evci et al. 2020): DST moves its masks every 100 steps. */
  private static final long DST_DELTA_T = 100;

  /** Layer allocations of GMP names: the suffix and the engine keys it stands for. */
  private static final List<String> GMP_ALLOCATIONS = List.of("", "-erk", "-global");

  /** Growth suffixes of DST names and the grow criteria they stand for. */
  private static final Map<String, String> DST_GROWTH =
      Map.of("", "gradient", "-set", "random", "-snfs", "momentum");

  /** Paper names of the DST growth criteria, for the descriptions. */
  private static final Map<String, String> DST_PAPER =
      Map.of("gradient", "RigL", "random", "SET", "momentum", "SNFS");

  private Baselines() {}

  /**
   * One baseline.
   *
   * @param name its name in the comparison
   * @param description how it runs (one line, for the report)
   * @param keys the {@code jitsparse.baseline} keys it sets over the evaluation's engine settings
   */
  public record Baseline(String name, String description, Map<String, Object> keys) {}

  /** Every known name, in a stable order. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (String schedule : DensitySchedules.names()) {
      for (String allocation : GMP_ALLOCATIONS) {
        names.add("gmp-" + schedule + allocation);
      }
    }
    for (String decay : PruneFractionDecay.names()) {
      for (String growth : List.of("", "-set", "-snfs")) {
        names.add("dst-" + decay + growth);
      }
    }
    for (String distribution : DensityDistributions.names()) {
      names.add("static-" + distribution);
    }
    names.add("dense");
    return names;
  }

  /**
   * The baseline called {@code name}.
   *
   * @param gmpDeltaT GMP's update interval (the reference schedule's mask interval: steps or a
   *     share of the episode)
   * @param gmpEnd where GMP reaches the target (the reference's end)
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static Baseline byName(String name, String gmpDeltaT, String gmpEnd) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (!names().contains(key)) {
      throw new IllegalArgumentException(
          "unknown baseline '" + name + "'; known: " + String.join(", ", names()));
    }
    Map<String, Object> k = new LinkedHashMap<>();
    if (key.equals("dense")) {
      k.put("method", "dense");
      return new Baseline(key, "dense training (reference; ends dense)", k);
    }
    String[] parts = key.split("-", 2);
    switch (parts[0]) {
      case "gmp" -> {
        String schedule = parts[1];
        String allocation = "uniform";
        for (String suffix : List.of("-erk", "-global")) {
          if (schedule.endsWith(suffix)) {
            allocation = suffix.substring(1);
            schedule = schedule.substring(0, schedule.length() - suffix.length());
          }
        }
        k.put("method", "gmp");
        k.put("schedule", schedule);
        k.put("gmp-initial-density", 1.0);
        k.put("gmp-start", "0%");
        k.put("gmp-end", gmpEnd);
        k.put("distribution", allocation.equals("erk") ? "erk" : "uniform");
        k.put("global-pruning", allocation.equals("global"));
        k.put("prune", "magnitude");
        k.put("delta-t", gmpDeltaT);
        return new Baseline(
            key,
            String.format(
                Locale.ROOT,
                "GMP, %s schedule from dense to the target at %s of the episode, %s, magnitude"
                    + " pruning every %s",
                schedule,
                gmpEnd,
                switch (allocation) {
                  case "erk" -> "ERK layer densities";
                  case "global" -> "one magnitude ranking across layers";
                  default -> "uniform layer densities";
                },
                gmpDeltaT.endsWith("%") ? gmpDeltaT + " of the episode" : gmpDeltaT + " steps"),
            k);
      }
      case "dst" -> {
        String decay = parts[1];
        String suffix = "";
        for (String s : List.of("-set", "-snfs")) {
          if (decay.endsWith(s)) {
            suffix = s;
            decay = decay.substring(0, decay.length() - s.length());
          }
        }
        String grow = DST_GROWTH.get(suffix);
        k.put("method", "dst");
        k.put("distribution", "erk");
        k.put("prune", "magnitude");
        k.put("grow", grow);
        k.put("prune-fraction-decay", decay);
        k.put("update-end", "100%");
        k.put("delta-t", DST_DELTA_T);
        return new Baseline(
            key,
            String.format(
                Locale.ROOT,
                "DST (%s) at the target from step 0, ERK layers, magnitude pruning and %s growth"
                    + " every %d steps, %s prune-fraction decay",
                DST_PAPER.get(grow),
                grow,
                DST_DELTA_T,
                decay),
            k);
      }
      default -> {
        k.put("method", "static");
        k.put("distribution", parts[1]);
        return new Baseline(
            key,
            "static random masks at the target, " + parts[1] + " layer densities, never moved",
            k);
      }
    }
  }
}
