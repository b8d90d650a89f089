package io.jitsparse.bench;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.SparseTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the trainers the benchmarks time, with every setting that matters spelled out rather than
 * taken from {@code reference.conf}, so that a change of defaults cannot silently change what is
 * measured: SGD with Nesterov momentum 0.9, learning rate 0.01 without decay, weight decay 5e-4;
 * the masked engine is DST at density 0.05 with ERK, magnitude pruning and gradient growth.
 */
final class BenchTrainers {

  /** Samples per batch. */
  static final int BATCH_SIZE = 128;

  /** Seed of initialisation, masks and data. */
  static final long SEED = 1;

  /** Global density of the masked engine. */
  static final double DENSITY = 0.05;

  /** Steps between mask updates of the masked engine (the production value). */
  static final int DEFAULT_DELTA_T = 800;

  static final String DENSE = "dense";
  static final String MASKED = "dst";

  /** Learning rate (constant: no decay). */
  static final double LEARNING_RATE = 0.01;

  /** Nesterov momentum of SGD. */
  static final double MOMENTUM = 0.9;

  /** L2 weight decay added to the gradient. */
  static final double WEIGHT_DECAY = 5e-4;

  private BenchTrainers() {}

  /**
   * A trainer of {@code model}.
   *
   * @param method {@link #DENSE} or {@link #MASKED}
   * @param deltaT steps between mask updates (masked only)
   * @param totalSteps the run's length: mask updates happen before this step
   */
  static SparseTrainer create(String model, String method, int deltaT, long totalSteps) {
    SparseTrainer.Builder b = SparseTrainer.builder();
    overrides(model, method, deltaT).forEach(b::set);
    return b.totalSteps(totalSteps).build();
  }

  /**
   * The settings of a {@code jitsparse baseline} run with the same training settings as {@link
   * #create}; everything else (checkpoint cadence, GC window, evaluation batch, validation split)
   * at the production defaults of {@code reference.conf}.
   *
   * @param epochs the run's length
   */
  static BaselineSettings baselineSettings(String model, String method, int deltaT, int epochs) {
    Map<String, Object> o = overrides(model, method, deltaT);
    o.put("epochs", epochs);
    return BaselineSettings.withOverrides(ConfigFactory.defaultReference(), o);
  }

  private static Map<String, Object> overrides(String model, String method, int deltaT) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("model", model);
    o.put("method", method);
    o.put("density", DENSITY);
    o.put("distribution", "erk");
    o.put("prune", "magnitude");
    o.put("grow", "gradient");
    o.put("delta-t", String.valueOf(deltaT));
    o.put("update-end", "100%");
    o.put("batch-size", BATCH_SIZE);
    o.put("optimizer", "sgd");
    o.put("lr", LEARNING_RATE);
    o.put("lr-decay-at", List.of());
    o.put("momentum", MOMENTUM);
    o.put("nesterov", true);
    o.put("weight-decay", WEIGHT_DECAY);
    o.put("seed", SEED);
    o.put("deterministic", false);
    return o;
  }
}
