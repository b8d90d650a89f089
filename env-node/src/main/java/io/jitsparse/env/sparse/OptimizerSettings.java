package io.jitsparse.env.sparse;

import java.util.List;

/**
 * The optimiser of a training run. Weight decay is L2 added to the gradient, as PyTorch's {@code
 * weight_decay} does, so that the defaults reproduce the "Fantastic Weights" setup (SGD, lr 0.01,
 * Nesterov momentum 0.9, weight decay 5e-4).
 *
 * @param name {@code sgd} (momentum SGD) or {@code adam}
 * @param momentum SGD momentum
 * @param nesterov whether SGD momentum is Nesterov's
 * @param weightDecay L2 coefficient
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param epsilon Adam's epsilon
 */
public record OptimizerSettings(
    String name,
    double momentum,
    boolean nesterov,
    double weightDecay,
    double beta1,
    double beta2,
    double epsilon) {

  /** Optimiser names. */
  public static final List<String> NAMES = List.of("sgd", "adam");

  /** Validates the settings. */
  public OptimizerSettings {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "unknown optimizer '" + name + "'; known: " + String.join(", ", NAMES));
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0)) {
      // Named by its config key, like every other refusal (found by SettingsFuzzTest).
      throw new IllegalArgumentException("weight-decay must be >= 0, got " + weightDecay);
    }
  }
}
