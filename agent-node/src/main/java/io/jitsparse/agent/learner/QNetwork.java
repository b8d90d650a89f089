package io.jitsparse.agent.learner;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.agent.policy.QFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The learner's Q-network as a SameDiff graph: a multilayer perceptron scoring the {@link MoveSet}
 * moves of one layer from that layer's row (global plus layer features, {@link FeatureEncoder}).
 * Every layer of every network is a row through the same weights, which is what lets one policy
 * drive any depth (factored, shared per-layer heads; action branching, Tavakoli et al. 2018).
 *
 * <p>The training loss is the importance-weighted Huber loss of the chosen move's Q-value against a
 * target computed outside the graph ({@link DoubleDqn}): {@code sum_r w_r huber(y_r - Q(x_r, a_r))
 * / rows}, with the Huber function written as {@code 0.5 q^2 + delta (|e| - q)}, {@code q =
 * min(|e|, delta)}, from differentiable primitives. SameDiff rather than a {@code
 * MultiLayerNetwork}: the loss needs per-row action selection and weights, which a custom graph
 * states directly. Dense layers are {@code x.mmul(W).add(b)} as in the engine's networks.
 *
 * <p>Not thread-safe; owns native memory ({@link #close()}).
 */
final class QNetwork implements AutoCloseable {

  static final String INPUT = "x";
  static final String CHOSEN = "chosen";
  static final String TARGET = "y";
  static final String WEIGHT = "w";
  static final String Q = "q";
  static final String CHOSEN_Q = "q_chosen";
  static final String LOSS = "loss";

  private final SameDiff sd = SameDiff.create();
  private final int[] sizes;
  private final List<String> parameters = new ArrayList<>();

  /**
   * A freshly initialised network (He-uniform hidden layers, a small output layer so that the first
   * Q-values are near 0), seeded.
   *
   * @param hidden widths of the hidden layers
   * @param huberDelta where the loss turns from quadratic to linear
   */
  QNetwork(int[] hidden, double huberDelta, long seed) {
    this.sizes = new int[hidden.length + 2];
    sizes[0] = FeatureEncoder.ROW;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = MoveSet.size();
    SplittableRandom random = new SplittableRandom(seed);
    SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, sizes[0]);
    SDVariable h = x;
    for (int k = 0; k + 1 < sizes.length; k++) {
      boolean last = k + 2 == sizes.length;
      double bound = (last ? 0.1 : 1.0) * Math.sqrt(6.0 / sizes[k]);
      SDVariable w = sd.var("w" + k, uniform(random, bound, sizes[k], sizes[k + 1]));
      SDVariable b = sd.var("b" + k, Nd4j.zeros(DataType.FLOAT, 1, sizes[k + 1]));
      parameters.add(w.name());
      parameters.add(b.name());
      h = h.mmul(w).add(b);
      if (!last) {
        h = sd.nn().relu(h, 0);
      }
    }
    SDVariable q = sd.identity(Q, h);
    SDVariable chosen = sd.placeHolder(CHOSEN, DataType.FLOAT, -1, sizes[sizes.length - 1]);
    SDVariable y = sd.placeHolder(TARGET, DataType.FLOAT, -1);
    SDVariable weight = sd.placeHolder(WEIGHT, DataType.FLOAT, -1);
    SDVariable qa = q.mul(chosen).sum(CHOSEN_Q, 1);
    SDVariable error = sd.math().abs(y.sub(qa));
    SDVariable linear = sd.nn().relu(error.sub(huberDelta), 0);
    SDVariable quadratic = error.sub(linear);
    SDVariable huber = quadratic.mul(quadratic).mul(0.5).add(linear.mul(huberDelta));
    huber.mul(weight).mean(LOSS);
    sd.setLossVariables(LOSS);
    buildGradientGraph();
  }

  /**
   * Builds the backward graph now. ND4J 1.0.0-M2.1 prints one line per differentiated op to {@code
   * System.out} while doing so (not through its logger), which would bury an agent-node's own
   * output at its first update, so standard output is muted for the duration (as {@code
   * SparseNetwork} does).
   */
  private void buildGradientGraph() {
    synchronized (System.class) {
      java.io.PrintStream out = System.out;
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      try {
        sd.createGradFunction();
      } finally {
        System.setOut(out);
      }
    }
  }

  private static INDArray uniform(SplittableRandom random, double bound, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return Nd4j.create(v, new long[] {rows, cols}, 'c');
  }

  /** Names of the trainable variables, weights and biases per layer. */
  List<String> parameters() {
    return parameters;
  }

  /** The array of a parameter (live: changing it changes the network). */
  INDArray parameter(String name) {
    return sd.getArrForVarName(name);
  }

  /** Q-values {@code [rows][moves]} of {@code rows} rows laid out flat in {@code x}. */
  float[][] q(float[] x, int rows) {
    try (INDArray in = Nd4j.create(x, new long[] {rows, sizes[0]}, 'c')) {
      Map<String, INDArray> out = sd.output(Map.of(INPUT, in), Q);
      INDArray q = out.get(Q);
      float[][] result = q.toFloatMatrix();
      q.close();
      return result;
    }
  }

  /** Gradients of the loss and the chosen moves' Q-values for one batch of rows. */
  record Gradients(Map<String, INDArray> gradients, float[] chosenQ, double loss)
      implements AutoCloseable {
    @Override
    public void close() {
      gradients.values().forEach(INDArray::close);
    }
  }

  /**
   * @param x rows' inputs, flat
   * @param moves chosen move per row
   * @param targets TD target per row
   * @param weights loss weight per row
   */
  Gradients gradients(float[] x, int[] moves, float[] targets, float[] weights) {
    int rows = moves.length;
    float[] oneHot = new float[rows * outputs()];
    for (int r = 0; r < rows; r++) {
      oneHot[r * outputs() + moves[r]] = 1;
    }
    Map<String, INDArray> placeholders = new HashMap<>();
    placeholders.put(INPUT, Nd4j.create(x, new long[] {rows, sizes[0]}, 'c'));
    placeholders.put(CHOSEN, Nd4j.create(oneHot, new long[] {rows, outputs()}, 'c'));
    placeholders.put(TARGET, Nd4j.create(targets, new long[] {rows}, 'c'));
    placeholders.put(WEIGHT, Nd4j.create(weights, new long[] {rows}, 'c'));
    try {
      var result =
          sd.calculateGradientsAndOutputs(placeholders, List.of(CHOSEN_Q, LOSS), parameters);
      Map<String, INDArray> outputs = result.getOutputs();
      float[] chosenQ = outputs.get(CHOSEN_Q).toFloatVector();
      double loss = outputs.get(LOSS).getDouble(0);
      outputs.values().forEach(INDArray::close);
      return new Gradients(result.getGradients(), chosenQ, loss);
    } finally {
      placeholders.values().forEach(INDArray::close);
    }
  }

  /** Moves scored per row. */
  int outputs() {
    return sizes[sizes.length - 1];
  }

  /** Layer widths, input first. */
  int[] sizes() {
    return sizes.clone();
  }

  /** A plain-Java copy of the current weights (what explorers act with). */
  QFunction snapshot() {
    int layers = sizes.length - 1;
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    for (int k = 0; k < layers; k++) {
      w[k] = flat(parameter("w" + k));
      b[k] = flat(parameter("b" + k));
    }
    return new QFunction(w, b, sizes);
  }

  /** The values of {@code a} in row-major order, read straight from its buffer when it is plain. */
  static float[] flat(INDArray a) {
    if (a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()) {
      return a.data().asFloat();
    }
    return Nd4j.toFlattened('c', a).toFloatVector();
  }

  /** Sets every weight from {@code f}, which must have this network's layer sizes. */
  void load(QFunction f) {
    if (!java.util.Arrays.equals(f.sizes(), sizes)) {
      throw new IllegalArgumentException(
          "policy of layer sizes "
              + java.util.Arrays.toString(f.sizes())
              + " does not fit a network of "
              + java.util.Arrays.toString(sizes));
    }
    for (int k = 0; k + 1 < sizes.length; k++) {
      try (INDArray w = Nd4j.create(f.weights(k), new long[] {sizes[k], sizes[k + 1]}, 'c');
          INDArray b = Nd4j.create(f.biases(k), new long[] {1, sizes[k + 1]}, 'c')) {
        parameter("w" + k).assign(w);
        parameter("b" + k).assign(b);
      }
    }
  }

  @Override
  public void close() {
    for (String p : parameters) {
      INDArray a = sd.getArrForVarName(p);
      if (a != null) {
        a.close();
      }
    }
  }
}
