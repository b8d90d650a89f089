package io.jitsparse.env.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.schedule.StepSpec;
import io.jitsparse.env.sparse.OptimizerSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a baseline training run is configured by, read once from {@code jitsparse.baseline.*}
 * (defaults in env-node's {@code reference.conf}; the CLI overlays its flags). Invalid values fail
 * here with a message naming the key.
 */
public record BaselineSettings(
    String model,
    double width,
    String method,
    double density,
    String distribution,
    double erkPower,
    String prune,
    String grow,
    double mestGamma,
    boolean globalPruning,
    String schedule,
    StepSpec gmpStart,
    StepSpec gmpEnd,
    double gmpInitialDensity,
    int gmpStages,
    StepSpec deltaT,
    double pruneFraction,
    double pruneFractionEnd,
    String pruneFractionDecay,
    StepSpec updateEnd,
    double alpha,
    String scheduleFile,
    int epochs,
    int batchSize,
    OptimizerSettings optimizer,
    double learningRate,
    List<Double> lrDecayAt,
    double lrDecayFactor,
    double validationFraction,
    int trainSamples,
    int evalBatchSize,
    String dataHome,
    long seed,
    long checkpointEvery,
    long gcWindowMs,
    boolean deterministic,
    double progressSeconds) {

  /** The config path these settings live under. */
  public static final String PATH = "jitsparse.baseline";

  /** Method names. */
  public static final List<String> METHODS =
      List.of("dense", "static", "gmp", "dst", "dst-thresholds", "replay");

  /** Reads and validates the settings from {@code config} (the root config). */
  public static BaselineSettings fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    try {
      BaselineSettings s =
          new BaselineSettings(
              c.getString("model"),
              c.getDouble("width"),
              c.getString("method"),
              c.getDouble("density"),
              c.getString("distribution"),
              c.getDouble("erk-power"),
              c.getString("prune"),
              c.getString("grow"),
              c.getDouble("mest-gamma"),
              c.getBoolean("global-pruning"),
              c.getString("schedule"),
              step(c, "gmp-start"),
              step(c, "gmp-end"),
              c.getDouble("gmp-initial-density"),
              whole(c, "gmp-stages"),
              step(c, "delta-t"),
              c.getDouble("prune-fraction"),
              c.getDouble("prune-fraction-end"),
              c.getString("prune-fraction-decay"),
              step(c, "update-end"),
              c.getDouble("alpha"),
              c.getString("schedule-file"),
              whole(c, "epochs"),
              whole(c, "batch-size"),
              optimizer(c),
              c.getDouble("lr"),
              c.getDoubleList("lr-decay-at"),
              c.getDouble("lr-decay-factor"),
              c.getDouble("validation-fraction"),
              whole(c, "train-samples"),
              whole(c, "eval-batch-size"),
              c.getString("data-home"),
              c.getLong("seed"),
              c.getLong("checkpoint-every"),
              c.getLong("gc-window-ms"),
              c.getBoolean("deterministic"),
              c.getDouble("progress-seconds"));
      s.validate();
      return s;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("configuration: " + e.getMessage(), e);
    }
  }

  /**
   * A whole-number key: HOCON's {@code getInt} truncates {@code 1.5} to 1 and a count past the int
   * range fails with a library message, so both are refused here naming the key.
   */
  private static int whole(Config c, String key) {
    double v = c.getDouble(key);
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw new ConfigException.BadValue(
          c.origin(), key, c.getValue(key).unwrapped() + " is not a whole number in the int range");
    }
    return (int) v;
  }

  /**
   * Reads the settings from {@code base} with some keys of {@code jitsparse.baseline} replaced.
   *
   * @param base the root config to fall back on (for example {@code ConfigFactory.load()})
   * @param overrides values by key name within {@code jitsparse.baseline} (for example {@code
   *     "density"})
   */
  public static BaselineSettings withOverrides(Config base, Map<String, ?> overrides) {
    Map<String, Object> paths = new LinkedHashMap<>();
    overrides.forEach((k, v) -> paths.put(PATH + "." + k, v));
    return fromConfig(ConfigFactory.parseMap(paths).withFallback(base).resolve());
  }

  private static StepSpec step(Config c, String key) {
    try {
      return StepSpec.parse(c.getString(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static OptimizerSettings optimizer(Config c) {
    try {
      return new OptimizerSettings(
          c.getString("optimizer"),
          c.getDouble("momentum"),
          c.getBoolean("nesterov"),
          c.getDouble("weight-decay"),
          c.getDouble("adam-beta1"),
          c.getDouble("adam-beta2"),
          c.getDouble("adam-epsilon"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("optimizer: " + e.getMessage(), e);
    }
  }

  private void validate() {
    if (!ModelRegistry.names().contains(model)) {
      fail("model", model, "one of " + String.join(", ", ModelRegistry.names()));
    }
    if (!METHODS.contains(method)) {
      fail("method", method, "one of " + String.join(", ", METHODS));
    }
    if (!(density > 0 && density <= 1)) {
      fail("density", density, "in (0, 1]");
    }
    if (!(gmpInitialDensity > 0 && gmpInitialDensity <= 1)) {
      fail("gmp-initial-density", gmpInitialDensity, "in (0, 1]");
    }
    if (!(pruneFraction >= 0 && pruneFraction <= 1)) {
      fail("prune-fraction", pruneFraction, "in [0, 1]");
    }
    if (!(pruneFractionEnd >= 0 && pruneFractionEnd <= 1)) {
      fail("prune-fraction-end", pruneFractionEnd, "in [0, 1]");
    }
    if (method.equals("replay") && scheduleFile.isBlank()) {
      fail("schedule-file", "\"\"", "the schedule.csv that method replay follows");
    }
    if (epochs < 1) {
      fail("epochs", epochs, ">= 1");
    }
    if (batchSize < 1) {
      fail("batch-size", batchSize, ">= 1");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      fail("lr", learningRate, "a positive number");
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      fail("validation-fraction", validationFraction, "in [0, 1)");
    }
    if (trainSamples < 0) {
      fail("train-samples", trainSamples, ">= 0 (0 = all)");
    }
    if (evalBatchSize < 1) {
      fail("eval-batch-size", evalBatchSize, ">= 1");
    }
    if (checkpointEvery < 0) {
      fail("checkpoint-every", checkpointEvery, ">= 0");
    }
    if (gcWindowMs < 0) {
      fail("gc-window-ms", gcWindowMs, ">= 0 (0 = off)");
    }
    if (gmpStages < 1) {
      fail("gmp-stages", gmpStages, ">= 1");
    }
    for (double f : lrDecayAt) {
      if (!(f > 0 && f < 1)) {
        fail("lr-decay-at", f, "fractions in (0, 1)");
      }
    }
  }

  private static void fail(String key, Object value, String expected) {
    throw new IllegalArgumentException(key + " = " + value + " is invalid: expected " + expected);
  }

  /** The settings as a flat map with the config's key names, for result files. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("width", width);
    m.put("method", method);
    m.put("density", density);
    m.put("distribution", distribution);
    m.put("erk-power", erkPower);
    m.put("prune", prune);
    m.put("grow", grow);
    m.put("mest-gamma", mestGamma);
    m.put("global-pruning", globalPruning);
    m.put("schedule", schedule);
    m.put("gmp-start", gmpStart.toString());
    m.put("gmp-end", gmpEnd.toString());
    m.put("gmp-initial-density", gmpInitialDensity);
    m.put("gmp-stages", gmpStages);
    m.put("delta-t", deltaT.toString());
    m.put("prune-fraction", pruneFraction);
    m.put("prune-fraction-end", pruneFractionEnd);
    m.put("prune-fraction-decay", pruneFractionDecay);
    m.put("update-end", updateEnd.toString());
    m.put("alpha", alpha);
    m.put("schedule-file", scheduleFile);
    m.put("epochs", epochs);
    m.put("batch-size", batchSize);
    m.put("optimizer", optimizer.name());
    m.put("lr", learningRate);
    m.put("momentum", optimizer.momentum());
    m.put("nesterov", optimizer.nesterov());
    m.put("weight-decay", optimizer.weightDecay());
    m.put("adam-beta1", optimizer.beta1());
    m.put("adam-beta2", optimizer.beta2());
    m.put("adam-epsilon", optimizer.epsilon());
    m.put("lr-decay-at", lrDecayAt);
    m.put("lr-decay-factor", lrDecayFactor);
    m.put("validation-fraction", validationFraction);
    m.put("train-samples", trainSamples);
    m.put("eval-batch-size", evalBatchSize);
    m.put("data-home", dataHome);
    m.put("seed", seed);
    m.put("checkpoint-every", checkpointEvery);
    m.put("gc-window-ms", gcWindowMs);
    m.put("deterministic", deterministic);
    m.put("progress-seconds", progressSeconds);
    return m;
  }
}
