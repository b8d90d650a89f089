package io.jitsparse.agent.learner;

import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.agent.replay.SampledBatch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Double DQN with n-step returns over prioritised samples (Ape-X's learner, Horgan et al. 2018,
 * Algorithm 2): an online {@link QNetwork} trained with Adam on the importance-weighted Huber loss
 * of {@link DoubleDqn} targets, and a target network copied from it every {@code
 * targetUpdateInterval} updates. Free of Pekko, so it is driven directly by tests and benchmarks;
 * the {@code Learner} actor runs it on its own dispatcher.
 *
 * <p>Not thread-safe; owns native memory ({@link #close()}).
 */
public final class QLearner implements AutoCloseable {

  /**
   * Settings of the learner's network and optimiser.
   *
   * @param hidden hidden layer widths
   * @param learningRate Adam's step size
   * @param huberDelta Huber loss threshold
   * @param targetUpdateInterval updates between target-network copies
   * @param seed initialisation seed
   */
  public record Config(
      int[] hidden, double learningRate, double huberDelta, int targetUpdateInterval, long seed) {}

  /**
   * What one update did.
   *
   * @param loss the weighted Huber loss before the step
   * @param meanQ mean Q-value of the chosen moves
   * @param meanAbsTdError mean |TD error| over the batch's rows
   * @param priorities new priority per transition
   */
  public record Update(double loss, double meanQ, double meanAbsTdError, double[] priorities) {}

  /** Everything a checkpoint keeps of the learner. */
  public record State(
      QFunction online, QFunction target, Map<String, float[]> optimizer, long updates) {}

  private final Config config;
  private final QNetwork online;
  private final QNetwork target;
  // The target network's weights in plain Java: it only runs forward, and a Java forward pass over
  // a batch's rows costs less than a graph execution.
  private QFunction targetCopy;
  private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
  private final Map<String, INDArray> optimizerState = new LinkedHashMap<>();
  private long updates;

  /** A fresh learner. */
  public QLearner(Config config) {
    this.config = config;
    this.online = new QNetwork(config.hidden(), config.huberDelta(), config.seed());
    this.target = new QNetwork(config.hidden(), config.huberDelta(), config.seed());
    for (String p : online.parameters()) {
      INDArray param = online.parameter(p);
      Adam adam = new Adam(config.learningRate());
      INDArray state = Nd4j.zeros(DataType.FLOAT, 1, adam.stateSize(param.length()));
      GradientUpdater<?> u = adam.instantiate(state, true);
      u.setStateViewArray(state, param.shape(), 'c', true);
      updaters.put(p, u);
      optimizerState.put(p, state);
    }
    this.targetCopy = target.snapshot();
  }

  /** A learner that continues from {@code state} (a checkpoint). */
  public static QLearner restore(Config config, State state) {
    QLearner l = new QLearner(config);
    l.online.load(state.online());
    l.target.load(state.target());
    l.targetCopy = state.target();
    for (Map.Entry<String, INDArray> e : l.optimizerState.entrySet()) {
      float[] saved = state.optimizer().get(e.getKey());
      if (saved == null || saved.length != e.getValue().length()) {
        throw new IllegalArgumentException(
            "checkpoint has no optimiser state of the right size for " + e.getKey());
      }
      try (INDArray s = Nd4j.create(saved, e.getValue().shape(), 'c')) {
        e.getValue().assign(s);
      }
    }
    l.updates = state.updates();
    return l;
  }

  /** Starts from the weights of {@code policy} (a warm start: fresh optimiser and counters). */
  public void warmStart(QFunction policy) {
    online.load(policy);
    target.load(policy);
    targetCopy = policy;
  }

  /** One gradient step on {@code batch}; returns the new priorities of its transitions. */
  public Update update(SampledBatch batch) {
    // Forward passes in plain Java: a SameDiff output() call costs several milliseconds even for
    // this small network (bench/run agent), ten times the Java pass over a batch's rows.
    float[][] onlineNext = forward(online.snapshot(), batch.nextStates(), batch.rows());
    float[][] targetNext = forward(targetCopy, batch.nextStates(), batch.rows());
    float[] y =
        DoubleDqn.targets(
            onlineNext, targetNext, batch.rewards(), batch.discounts(), batch.owner());
    float[] weights = DoubleDqn.rowWeights(batch.weights(), batch.layers(), batch.owner());
    double loss;
    float[] chosenQ;
    try (QNetwork.Gradients g = online.gradients(batch.states(), batch.moves(), y, weights)) {
      int iteration = (int) Math.min(Integer.MAX_VALUE, updates);
      for (Map.Entry<String, INDArray> e : g.gradients().entrySet()) {
        updaters.get(e.getKey()).applyUpdater(e.getValue(), iteration, 0);
        online.parameter(e.getKey()).subi(e.getValue());
      }
      loss = g.loss();
      chosenQ = g.chosenQ();
    }
    updates++;
    if (updates % config.targetUpdateInterval() == 0) {
      targetCopy = online.snapshot();
      target.load(targetCopy);
    }
    double[] priorities = DoubleDqn.priorities(y, chosenQ, batch.owner(), batch.layers());
    double meanQ = 0;
    double meanTd = 0;
    for (int r = 0; r < chosenQ.length; r++) {
      meanQ += chosenQ[r];
      meanTd += Math.abs(y[r] - chosenQ[r]);
    }
    return new Update(loss, meanQ / chosenQ.length, meanTd / chosenQ.length, priorities);
  }

  private static float[][] forward(QFunction q, float[] x, int rows) {
    int width = q.inputs();
    float[][] out = new float[rows][];
    float[] row = new float[width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(x, r * width, row, 0, width);
      out[r] = q.forward(row);
    }
    return out;
  }

  /** Updates done (restored ones included). */
  public long updates() {
    return updates;
  }

  /** The online network's weights, as explorers act with them. */
  public QFunction policy() {
    return online.snapshot();
  }

  /** Everything needed to continue later. */
  public State state() {
    Map<String, float[]> opt = new LinkedHashMap<>();
    optimizerState.forEach((k, v) -> opt.put(k, QNetwork.flat(v)));
    return new State(online.snapshot(), targetCopy, opt, updates);
  }

  /** The settings. */
  public Config config() {
    return config;
  }

  @Override
  public void close() {
    online.close();
    target.close();
    optimizerState.values().forEach(INDArray::close);
  }
}
