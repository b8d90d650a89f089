package io.jitsparse.bench;

import io.jitsparse.env.train.SparseTrainer;
import java.util.List;

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
    return SparseTrainer.builder()
        .set("model", model)
        .set("method", method)
        .set("density", DENSITY)
        .set("distribution", "erk")
        .set("prune", "magnitude")
        .set("grow", "gradient")
        .set("delta-t", String.valueOf(deltaT))
        .set("update-end", "100%")
        .set("batch-size", BATCH_SIZE)
        .set("optimizer", "sgd")
        .set("lr", LEARNING_RATE)
        .set("lr-decay-at", List.of())
        .set("momentum", MOMENTUM)
        .set("nesterov", true)
        .set("weight-decay", WEIGHT_DECAY)
        .set("seed", SEED)
        .set("deterministic", false)
        .totalSteps(totalSteps)
        .build();
  }
}
