package io.jitsparse.env.sparse;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Applies SGD-momentum or Adam to named parameters, owning each one's optimiser state as a flat
 * array so that the sparse engine can zero the state of pruned weights (nothing comes back to life
 * through momentum) and checkpoint it.
 */
final class ParameterOptimizer {

  private final OptimizerSettings settings;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final java.util.Set<String> noDecay = new java.util.HashSet<>();
  private double learningRate = Double.NaN;

  private record Slot(IUpdater config, GradientUpdater<?> updater, INDArray state) {}

  ParameterOptimizer(OptimizerSettings settings) {
    this.settings = settings;
  }

  void register(String name, INDArray parameter) {
    IUpdater config = newConfig();
    long stateSize = config.stateSize(parameter.length());
    INDArray state = stateSize == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, stateSize);
    GradientUpdater<?> updater = config.instantiate(state, true);
    if (state != null) {
      updater.setStateViewArray(state, parameter.shape(), 'c', true);
    }
    slots.put(name, new Slot(config, updater, state));
  }

  private IUpdater newConfig() {
    if (settings.name().equals("adam")) {
      return new Adam(1e-3, settings.beta1(), settings.beta2(), settings.epsilon());
    }
    if (settings.momentum() == 0) {
      return new Sgd(1e-3);
    }
    if (!settings.nesterov()) {
      throw new IllegalArgumentException(
          "plain (non-Nesterov) momentum is not available in ND4J's updaters; use --nesterov true"
              + " or --momentum 0");
    }
    return new Nesterovs(1e-3, settings.momentum());
  }

  void setLearningRate(double lr) {
    if (lr != learningRate) {
      for (Slot s : slots.values()) {
        s.config.setLrAndSchedule(lr, null);
      }
      learningRate = lr;
    }
  }

  /**
   * Updates {@code parameter} in place from {@code gradient} (which it overwrites): adds L2 weight
   * decay, runs the updater and subtracts the step.
   */
  void step(String name, INDArray parameter, INDArray gradient, int iteration) {
    if (settings.weightDecay() > 0 && !noDecay.contains(name)) {
      // In place (gradient += decay * parameter): a temporary per parameter per step would pile
      // up off-heap until the garbage collector runs.
      Nd4j.getBlasWrapper()
          .level1()
          .axpy(parameter.length(), settings.weightDecay(), parameter, gradient);
    }
    slots.get(name).updater.applyUpdater(gradient, iteration, 0);
    parameter.subi(gradient);
  }

  /** Exempts parameters from weight decay (for example trainable thresholds). */
  void excludeFromWeightDecay(java.util.Collection<String> names) {
    noDecay.addAll(names);
  }

  /** Zeroes the optimiser state wherever {@code mask} is zero. */
  void maskState(String name, INDArray mask) {
    for (INDArray s : slots.get(name).updater.getState().values()) {
      s.muli(mask);
    }
  }

  /** The flat state array of each parameter with state, for checkpoints. */
  Map<String, INDArray> stateArrays() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    slots.forEach(
        (k, v) -> {
          if (v.state != null) {
            out.put(k, v.state);
          }
        });
    return out;
  }

  /** The per-parameter state map (named as ND4J's updaters name it), for growth by momentum. */
  Map<String, INDArray> state(String name) {
    return slots.get(name).updater.getState();
  }
}
