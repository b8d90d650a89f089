package io.jitsparse.env.sparse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Applies SGD-momentum or Adam to named parameters, owning each one's optimiser state as a flat
 * array so that the sparse engine can zero the state of pruned weights (nothing comes back to life
 * through momentum) and checkpoint it.
 *
 * <p>Parameters that are consecutive views of one flat array can be registered as one group ({@link
 * #registerGroup}): weight decay, the updater and the parameter update then run once over the whole
 * array, three native calls a step instead of three per parameter. Each parameter's state is still
 * its own (a view), so checkpoints and state masking do not change.
 */
final class ParameterOptimizer {

  private final OptimizerSettings settings;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final java.util.Set<String> noDecay = new java.util.HashSet<>();
  private double learningRate = Double.NaN;

  private record Slot(IUpdater config, GradientUpdater<?> updater, INDArray state) {}

  /** A group's updater over the flat array, and each member's state view (null when stateless). */
  private record Group(IUpdater config, GradientUpdater<?> updater, Map<String, INDArray> states) {}

  private Group group;

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

  /**
   * Whether parameters can be stepped as one group: the updater keeps at most one state value per
   * parameter value (SGD, Nesterov momentum), so that the group's state is the members' states laid
   * end to end. Adam keeps two (its state is all first moments, then all second moments).
   */
  boolean groupable() {
    return newConfig().stateSize(1) <= 1;
  }

  /**
   * Registers parameters that are views of {@code flat}, laid end to end in {@code names} order, as
   * one group stepped by {@link #stepGroup}.
   *
   * @param lengths values of each parameter
   */
  void registerGroup(List<String> names, long[] lengths, INDArray flat) {
    if (!groupable() || group != null) {
      throw new IllegalStateException("cannot group parameters for " + settings.name());
    }
    IUpdater config = newConfig();
    long size = flat.length();
    long stateSize = config.stateSize(size);
    INDArray state = stateSize == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, stateSize);
    GradientUpdater<?> updater = config.instantiate(state, true);
    if (state != null) {
      updater.setStateViewArray(state, flat.shape(), 'c', true);
    }
    Map<String, INDArray> states = new LinkedHashMap<>();
    long offset = 0;
    for (int i = 0; i < names.size(); i++) {
      INDArray view =
          state == null
              ? null
              : state
                  .get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + lengths[i]))
                  .reshape(1, lengths[i]);
      states.put(names.get(i), view);
      offset += lengths[i];
    }
    group = new Group(config, updater, states);
  }

  /**
   * Steps the group in place: {@code gradient += decay * parameters}, the updater, {@code
   * parameters -= step}.
   */
  void stepGroup(INDArray parameters, INDArray gradient, int iteration) {
    if (settings.weightDecay() > 0) {
      Nd4j.getBlasWrapper()
          .level1()
          .axpy(parameters.length(), settings.weightDecay(), parameters, gradient);
    }
    group.updater.applyUpdater(gradient, iteration, 0);
    parameters.subi(gradient);
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
      if (group != null) {
        group.config.setLrAndSchedule(lr, null);
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
    if (group != null && group.states.containsKey(name)) {
      INDArray s = group.states.get(name);
      if (s != null) {
        s.muli(mask.reshape(s.shape()));
      }
      return;
    }
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
    if (group != null) {
      group.states.forEach(
          (k, v) -> {
            if (v != null) {
              out.put(k, v);
            }
          });
    }
    return out;
  }
}
