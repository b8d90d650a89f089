package io.jitsparse.env.sparse;

import io.jitsparse.env.model.ModelArchitecture;
import io.jitsparse.env.model.NetworkBuilder;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.SequentialPlan;
import io.jitsparse.env.model.WeightTransform;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network with one binary mask per prunable tensor, trained by a hand-written loop: each step
 * computes the loss, the logits and every parameter's gradient in one pass, keeps the dense
 * gradient of the prunable tensors when asked (for growth), multiplies the gradient by the mask and
 * applies the optimiser. Pruned weights are zero and their gradient and optimiser state are zero,
 * so they stay exactly zero through every update until a grower brings them back.
 *
 * <p>The network is a SameDiff graph. When it is a plain chain of layers ({@link SequentialPlan}:
 * LeNet-300-100, LeNet-5), training and evaluation run the {@link DirectPass} instead, a hand-built
 * forward and backward on native ops into reused arrays, several times faster; the graph stays the
 * reference it is checked against ({@link #useReferenceEngine()}). Other networks (ResNet-18, DST
 * with trainable thresholds) always run the graph.
 *
 * <p>Not thread-safe: one thread owns a network.
 */
public final class SparseNetwork {

  /** Momentum of batch-norm running statistics (PyTorch's default). */
  private static final double BN_MOMENTUM = 0.1;

  /** Decay of the dense-gradient average used by growth by momentum (Dettmers 2019). */
  private static final double GRADIENT_MOMENTUM = 0.9;

  private static final String LOSS = "loss";
  private static final String LOGITS = "logits";
  private static final String CROSS_ENTROPY = "cross_entropy";

  private final String crossEntropy;

  private final SameDiff sd;
  private final List<PrunableTensor> tensors;
  private final List<String> tensorVariables;
  private final List<String> trainable;
  private final Map<String, Integer> tensorIndex;
  private final List<NetworkBuilder.BatchNormLayer> batchNorms;
  private final List<String> requestedOutputs;
  private final ParameterOptimizer optimizer;
  private final INDArray[] masks;
  private final long[] activeCounts;
  private final double[] gradientNorms;
  private final double[] maskChurn;
  private INDArray[] gradientMomentum;
  private final INDArray trainingMode = Nd4j.scalar(DataType.FLOAT, 1f);
  private final INDArray evalMode = Nd4j.scalar(DataType.FLOAT, 0f);
  private int iteration;
  private final DirectPass direct;
  private final FlatParameters flat;
  private boolean reference;
  private boolean gradientGraphBuilt;
  private StepPhases phases;

  /**
   * Builds a network.
   *
   * @param architecture the model
   * @param seed initialiser seed
   * @param transform how prunable weights enter the graph (identity for the masked engine)
   * @param optimizer optimiser settings
   */
  public SparseNetwork(
      ModelArchitecture architecture,
      long seed,
      WeightTransform transform,
      OptimizerSettings optimizer) {
    this.sd = SameDiff.create();
    NetworkBuilder b = new NetworkBuilder(sd, seed, transform);
    SDVariable built = architecture.build(b);
    Optional<SequentialPlan> plan = b.sequentialPlan(built);
    SDVariable logits = built.rename(LOGITS);
    SDVariable labels =
        sd.placeHolder(NetworkBuilder.LABELS, DataType.FLOAT, -1, NetworkBuilder.CLASSES);
    SDVariable loss = sd.loss().softmaxCrossEntropy(CROSS_ENTROPY, labels, logits, null);
    for (SDVariable term : b.lossTerms()) {
      loss = loss.add(term);
    }
    // Without regularisers the cross-entropy is the loss and gets its name.
    this.crossEntropy = b.lossTerms().isEmpty() ? LOSS : CROSS_ENTROPY;
    loss.rename(LOSS);
    sd.setLossVariables(LOSS);
    this.tensors = b.prunable();
    this.tensorVariables = b.prunableVariables();
    this.trainable = b.trainableVariables();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < tensorVariables.size(); i++) {
      index.put(tensorVariables.get(i), i);
    }
    this.tensorIndex = Map.copyOf(index);
    this.batchNorms = b.batchNorms();
    List<String> outputs = new ArrayList<>(List.of(LOSS, LOGITS));
    for (NetworkBuilder.BatchNormLayer bn : batchNorms) {
      outputs.add(bn.batchMean());
      outputs.add(bn.batchVariance());
    }
    this.requestedOutputs = List.copyOf(outputs);
    this.optimizer = new ParameterOptimizer(optimizer);
    boolean chain = plan.isPresent() && batchNorms.isEmpty();
    if (chain && this.optimizer.groupable()) {
      this.flat = FlatParameters.bind(sd, trainable, tensorVariables);
      this.optimizer.registerGroup(trainable, flat.lengths(), flat.parameters());
    } else {
      this.flat = null;
      for (String name : trainable) {
        this.optimizer.register(name, sd.getArrForVarName(name));
      }
    }
    this.direct =
        chain
            ? new DirectPass(
                plan.get(), this::parameter, flat == null ? null : flat.gradients()::get)
            : null;
    int n = tensors.size();
    this.masks = new INDArray[n];
    this.activeCounts = new long[n];
    this.gradientNorms = new double[n];
    this.maskChurn = new double[n];
    for (int i = 0; i < n; i++) {
      masks[i] =
          flat != null
              ? flat.masks().get(tensorVariables.get(i))
              : Nd4j.ones(DataType.FLOAT, tensors.get(i).shape());
      activeCounts[i] = tensors.get(i).size();
    }
  }

  /**
   * Builds the backward graph now. ND4J 1.0.0-M2.1 prints one line per differentiated op to {@code
   * System.out} while doing so (not through its logger), which would bury the command's own output,
   * so standard output is muted for the duration.
   */
  private void ensureGradientGraph() {
    if (gradientGraphBuilt) {
      return;
    }
    gradientGraphBuilt = true;
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

  /** Whether steps and evaluations run the hand-built {@link DirectPass} (not the graph). */
  public boolean usesDirectPass() {
    return direct != null && !reference;
  }

  /**
   * Runs every later step and evaluation through the SameDiff graph, the reference the direct pass
   * is checked against (tests and benchmarks compare the two).
   */
  public void useReferenceEngine() {
    reference = true;
  }

  /**
   * Records where the time of every later step goes into {@code recorder} (null: stop recording).
   */
  public void recordPhases(StepPhases recorder) {
    this.phases = recorder;
  }

  /** The direct pass, or null when the network is not a plain chain (for tests). */
  DirectPass directPass() {
    return direct;
  }

  /** The SameDiff graph's gradient of every trainable variable on a batch (for tests). */
  Map<String, INDArray> graphGradients(INDArray features, INDArray labels) {
    ensureGradientGraph();
    syncGraph();
    return sd.calculateGradients(placeholders(features, labels, trainingMode), trainable);
  }

  /** The prunable tensors, in order. */
  public List<PrunableTensor> tensors() {
    return tensors;
  }

  /** The weight array of prunable tensor {@code i} (live: changes with training). */
  public INDArray weights(int i) {
    return parameter(tensorVariables.get(i));
  }

  /** The mask of prunable tensor {@code i} (live). */
  public INDArray mask(int i) {
    return masks[i];
  }

  /** Array of any graph variable or constant by name (live). */
  public INDArray array(String name) {
    return parameter(name);
  }

  /**
   * The live array of a variable: its view in the flat parameters when the network has them (the
   * graph's own copy is then refreshed before every use of the graph, {@link #syncGraph}).
   */
  private INDArray parameter(String name) {
    INDArray view = flat == null ? null : flat.views().get(name);
    return view != null ? view : sd.getArrForVarName(name);
  }

  /** Copies the flat parameters into the graph's arrays before the graph runs. */
  private void syncGraph() {
    if (flat != null) {
      flat.views().forEach((name, view) -> sd.getArrForVarName(name).assign(view));
    }
  }

  /** Names of every trainable variable. */
  public List<String> trainableVariables() {
    return trainable;
  }

  /** Exempts the named parameters from weight decay (for example trainable thresholds). */
  public void excludeFromWeightDecay(java.util.Collection<String> names) {
    optimizer.excludeFromWeightDecay(names);
  }

  /** Turns on the running average of dense gradients (needed by growth by momentum). */
  public void trackGradientMomentum() {
    if (gradientMomentum == null) {
      gradientMomentum = new INDArray[tensors.size()];
      for (int i = 0; i < tensors.size(); i++) {
        gradientMomentum[i] = Nd4j.zeros(DataType.FLOAT, tensors.get(i).shape());
      }
    }
  }

  /** Number of optimiser steps taken. */
  public int iteration() {
    return iteration;
  }

  /**
   * One optimiser step on a batch.
   *
   * @param features NHWC images {@code [B, 28, 28, 1]}
   * @param labels one-hot labels {@code [B, 10]}
   * @param classes the labels as class indices
   * @param learningRate the learning rate for this step
   * @param keepDenseGradients whether to return dL/dW of every prunable tensor before masking
   */
  public StepResult trainStep(
      INDArray features,
      INDArray labels,
      int[] classes,
      double learningRate,
      boolean keepDenseGradients) {
    Map<String, INDArray> grads;
    Map<String, INDArray> outputs;
    double loss;
    int correct;
    StepPhases timing = phases;
    long t = System.nanoTime();
    if (usesDirectPass()) {
      DirectPass.Result r = direct.trainingPass(features, labels, timing);
      t = System.nanoTime();
      loss = r.loss();
      correct = r.correct();
      // The direct pass owns its gradient arrays and reuses them: nothing to close.
      grads = direct.gradients();
      outputs = Map.of();
    } else {
      ensureGradientGraph();
      syncGraph();
      Map<String, INDArray> placeholders = placeholders(features, labels, trainingMode);
      OutAndGrad result =
          sd.calculateGradientsAndOutputs(placeholders, requestedOutputs, trainable);
      grads = result.getGradients();
      outputs = result.getOutputs();
      if (timing != null) {
        t = timing.lap(StepPhases.Phase.FORWARD_BACKWARD, t);
      }
      loss = outputs.get(LOSS).getDouble(0);
      correct = countCorrect(outputs.get(LOGITS), classes);
      if (timing != null) {
        t = timing.lap(StepPhases.Phase.HOST_COPIES, t);
      }
    }
    if (!Double.isFinite(loss)) {
      // A diverged step changes nothing, so the last good state can still be checkpointed.
      return new StepResult(loss, correct, classes.length, null);
    }
    updateRunningStatistics(outputs, classes.length);
    boolean closeGradients = !usesDirectPass();
    INDArray[] dense = keepDenseGradients ? new INDArray[tensors.size()] : null;
    optimizer.setLearningRate(learningRate);
    if (flat != null) {
      if (closeGradients) {
        // The graph's gradients, into the flat array the grouped update steps.
        for (String name : trainable) {
          INDArray g = grads.get(name);
          flat.gradients().get(name).assign(g);
          g.close();
        }
      }
      updateGroup(dense, timing, t);
    } else {
      updatePerParameter(grads, dense, closeGradients, timing, t);
    }
    for (INDArray o : outputs.values()) {
      o.close();
    }
    iteration++;
    return new StepResult(loss, correct, classes.length, dense);
  }

  /**
   * The update of a network whose parameters, gradients and masks are each one flat array: the mask
   * multiplies every gradient in one call (biases' entries are ones), decay, updater and parameter
   * update run once over all parameters.
   */
  private void updateGroup(INDArray[] dense, StepPhases timing, long t) {
    for (int k = 0; k < tensors.size(); k++) {
      INDArray g = flat.gradients().get(tensorVariables.get(k));
      if (dense != null) {
        dense[k] = g.dup();
      }
      accumulateGradientMomentum(k, g);
    }
    flat.gradient().muli(flat.mask());
    for (int k = 0; k < tensors.size(); k++) {
      gradientNorms[k] = norm2(flat.gradients().get(tensorVariables.get(k)));
    }
    if (timing != null) {
      t = timing.lap(StepPhases.Phase.GRADIENT_MASKS, t);
    }
    optimizer.stepGroup(flat.parameters(), flat.gradient(), iteration);
    if (timing != null) {
      timing.lap(StepPhases.Phase.OPTIMISER, t);
    }
  }

  private void accumulateGradientMomentum(int k, INDArray g) {
    if (gradientMomentum != null) {
      gradientMomentum[k].muli(GRADIENT_MOMENTUM);
      Nd4j.getBlasWrapper()
          .level1()
          .axpy(g.length(), 1 - GRADIENT_MOMENTUM, g, gradientMomentum[k]);
    }
  }

  private void updatePerParameter(
      Map<String, INDArray> grads,
      INDArray[] dense,
      boolean closeGradients,
      StepPhases timing,
      long t) {
    for (String name : trainable) {
      INDArray g = grads.get(name);
      INDArray p = parameter(name);
      Integer k = tensorIndex.get(name);
      if (k != null) {
        if (dense != null) {
          dense[k] = g.dup();
        }
        accumulateGradientMomentum(k, g);
        g.muli(masks[k]);
        gradientNorms[k] = norm2(g);
      }
      if (timing != null) {
        t = timing.lap(StepPhases.Phase.GRADIENT_MASKS, t);
      }
      optimizer.step(name, p, g, iteration);
      if (timing != null) {
        t = timing.lap(StepPhases.Phase.OPTIMISER, t);
      }
      if (closeGradients) {
        // Free the graph's native buffers now rather than when the garbage collector finds them:
        // a step allocates megabytes off-heap, and waiting for GC costs allocation stalls and
        // memory.
        g.close();
      }
    }
  }

  /**
   * Dense gradients dL/dW of every prunable tensor on a batch, without changing anything
   * (batch-norm layers use the batch statistics, as in training).
   */
  public INDArray[] denseGradients(INDArray features, INDArray labels) {
    INDArray[] out = new INDArray[tensors.size()];
    if (usesDirectPass()) {
      direct.trainingPass(features, labels, null);
      for (int i = 0; i < out.length; i++) {
        out[i] = direct.gradients().get(tensorVariables.get(i)).dup();
      }
      return out;
    }
    ensureGradientGraph();
    syncGraph();
    Map<String, INDArray> grads =
        sd.calculateGradients(placeholders(features, labels, trainingMode), tensorVariables);
    for (int i = 0; i < out.length; i++) {
      out[i] = grads.get(tensorVariables.get(i));
    }
    return out;
  }

  /** Loss sum and number correct on a batch, in evaluation mode. */
  public Evaluation evaluate(INDArray features, INDArray labels, int[] classes) {
    if (usesDirectPass()) {
      // In chunks of the training batch's size: the chunks reuse its buffers, where a whole
      // evaluation batch (1,000 or more samples) would keep activations ten times as large.
      Evaluation total = new Evaluation(0, 0, 0);
      int n = classes.length;
      for (int start = 0; start < n; start += DirectPass.EVALUATION_CHUNK) {
        int end = Math.min(n, start + DirectPass.EVALUATION_CHUNK);
        boolean whole = start == 0 && end == n;
        DirectPass.Result r =
            direct.evaluate(
                whole ? features : rows(features, start, end),
                whole ? labels : rows(labels, start, end));
        total = total.plus(new Evaluation(r.loss() * (end - start), r.correct(), end - start));
      }
      return total;
    }
    syncGraph();
    Map<String, INDArray> out =
        sd.output(placeholders(features, labels, evalMode), crossEntropy, LOGITS);
    double loss = out.get(crossEntropy).getDouble(0) * classes.length;
    return new Evaluation(loss, countCorrect(out.get(LOGITS), classes), classes.length);
  }

  /** Summed loss, correct count and sample count of an evaluation. */
  public record Evaluation(double lossSum, long correct, long samples) {

    /** Combines two evaluations. */
    public Evaluation plus(Evaluation o) {
      return new Evaluation(lossSum + o.lossSum, correct + o.correct, samples + o.samples);
    }

    /** Accuracy as a fraction. */
    public double accuracy() {
      return samples == 0 ? 0 : (double) correct / samples;
    }

    /** Mean loss. */
    public double meanLoss() {
      return samples == 0 ? 0 : lossSum / samples;
    }
  }

  /** Rows {@code [start, end)} of {@code a} along its first dimension (a view). */
  private static INDArray rows(INDArray a, int start, int end) {
    INDArrayIndex[] index = new INDArrayIndex[a.rank()];
    index[0] = NDArrayIndex.interval(start, end);
    for (int d = 1; d < index.length; d++) {
      index[d] = NDArrayIndex.all();
    }
    return a.get(index);
  }

  private Map<String, INDArray> placeholders(INDArray features, INDArray labels, INDArray mode) {
    Map<String, INDArray> ph = new HashMap<>(4);
    ph.put(NetworkBuilder.FEATURES, features);
    ph.put(NetworkBuilder.LABELS, labels);
    if (!batchNorms.isEmpty()) {
      ph.put(NetworkBuilder.BN_TRAINING, mode);
    }
    return ph;
  }

  private static int countCorrect(INDArray logits, int[] classes) {
    INDArray argMax = logits.argMax(1);
    int[] predicted = argMax.toIntVector();
    argMax.close();
    int correct = 0;
    for (int i = 0; i < classes.length; i++) {
      if (predicted[i] == classes[i]) {
        correct++;
      }
    }
    return correct;
  }

  private void updateRunningStatistics(Map<String, INDArray> outputs, int batch) {
    double unbias = batch > 1 ? (double) batch / (batch - 1) : 1.0;
    for (NetworkBuilder.BatchNormLayer bn : batchNorms) {
      INDArray mean = sd.getArrForVarName(bn.runningMean());
      INDArray var = sd.getArrForVarName(bn.runningVariance());
      mean.muli(1 - BN_MOMENTUM).addi(outputs.get(bn.batchMean()).mul(BN_MOMENTUM));
      var.muli(1 - BN_MOMENTUM).addi(outputs.get(bn.batchVariance()).mul(BN_MOMENTUM * unbias));
    }
  }

  /**
   * Replaces tensor {@code i}'s mask: newly pruned weights and their optimiser state become zero;
   * newly grown weights start at zero (they were zero while pruned).
   *
   * @param newMask 0/1 values, flat in row-major order
   */
  public void setMask(int i, float[] newMask) {
    setMask(i, newMask, new int[0]);
  }

  /**
   * Replaces tensor {@code i}'s mask as {@link #setMask(int, float[])} does, and also restarts the
   * weights at {@code restart} (zero weight, zero optimiser state) whatever their mask: a weight
   * pruned and regrown in one update starts afresh.
   */
  public void setMask(int i, float[] newMask, int[] restart) {
    float[] old = masks[i].data().asFloat();
    if (old.length != newMask.length) {
      throw new IllegalArgumentException(
          "mask for "
              + tensors.get(i).name()
              + " has "
              + newMask.length
              + " entries, expected "
              + old.length);
    }
    long changed = 0;
    long active = 0;
    for (int k = 0; k < old.length; k++) {
      if (old[k] != newMask[k]) {
        changed++;
      }
      if (newMask[k] != 0f) {
        active++;
      }
    }
    float[] keep = newMask.clone();
    for (int k : restart) {
      keep[k] = 0f;
    }
    INDArray keepArray = Nd4j.create(keep, tensors.get(i).shape(), 'c');
    weights(i).muli(keepArray);
    optimizer.maskState(tensorVariables.get(i), keepArray);
    masks[i].assign(Nd4j.create(newMask, tensors.get(i).shape(), 'c'));
    activeCounts[i] = active;
    maskChurn[i] = (double) changed / old.length;
  }

  /** Whether every trainable parameter is finite (no NaN or infinity). */
  public boolean parametersFinite() {
    for (String name : trainable) {
      INDArray p = parameter(name);
      if (p.isNaN().any() || p.isInfinite().any()) {
        return false;
      }
    }
    return true;
  }

  /** Number of active weights of tensor {@code i}. */
  public long activeCount(int i) {
    return activeCounts[i];
  }

  /** Density of tensor {@code i}. */
  public double density(int i) {
    return (double) activeCounts[i] / tensors.get(i).size();
  }

  /** Densities of every tensor, in order. */
  public double[] densities() {
    double[] d = new double[tensors.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = density(i);
    }
    return d;
  }

  /** Fraction of all prunable weights that are active. */
  public double globalDensity() {
    long active = 0;
    long total = 0;
    for (int i = 0; i < tensors.size(); i++) {
      active += activeCounts[i];
      total += tensors.get(i).size();
    }
    return (double) active / total;
  }

  /**
   * A copy of tensor {@code i} as the criteria see it.
   *
   * @param denseGradient dL/dW of the tensor, or {@code null} for zeros
   */
  public LayerView view(int i, INDArray denseGradient) {
    float[] w = weights(i).dup().data().asFloat();
    float[] g = denseGradient == null ? new float[w.length] : denseGradient.dup().data().asFloat();
    float[] momentum = gradientMomentum == null ? null : gradientMomentum[i].dup().data().asFloat();
    return new LayerView(tensors.get(i).name(), i, w, g, masks[i].dup().data().asFloat(), momentum);
  }

  /**
   * The Euclidean norm of {@code a}'s values, by BLAS {@code nrm2} on the values as a vector:
   * ND4J's own reduction ({@code norm2Number}) took six times as long, and a step takes two per
   * tensor.
   */
  private static double norm2(INDArray a) {
    return Nd4j.getBlasWrapper().nrm2(a.reshape(a.length()));
  }

  /** The sum of {@code a}'s absolute values, by BLAS {@code asum} (see {@link #norm2}). */
  private static double norm1(INDArray a) {
    return Nd4j.getBlasWrapper().asum(a.reshape(a.length()));
  }

  /** Statistics of tensor {@code i} now. */
  public LayerStatistics statistics(int i) {
    INDArray w = weights(i);
    long active = Math.max(1, activeCounts[i]);
    double mean = norm1(w) / active;
    double sumSq = Math.pow(norm2(w), 2);
    double var = Math.max(0, sumSq / active - mean * mean);
    return new LayerStatistics(density(i), mean, Math.sqrt(var), gradientNorms[i], maskChurn[i]);
  }

  /** Every array a checkpoint needs: parameters, batch-norm statistics, masks, optimiser state. */
  public Map<String, INDArray> checkpointArrays() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (String name : trainable) {
      out.put("param:" + name, parameter(name));
    }
    for (NetworkBuilder.BatchNormLayer bn : batchNorms) {
      out.put("bn:" + bn.runningMean(), sd.getArrForVarName(bn.runningMean()));
      out.put("bn:" + bn.runningVariance(), sd.getArrForVarName(bn.runningVariance()));
    }
    for (int i = 0; i < masks.length; i++) {
      out.put("mask:" + tensors.get(i).name(), masks[i]);
    }
    optimizer.stateArrays().forEach((k, v) -> out.put("opt:" + k, v));
    if (gradientMomentum != null) {
      for (int i = 0; i < gradientMomentum.length; i++) {
        out.put("gradmom:" + tensors.get(i).name(), gradientMomentum[i]);
      }
    }
    return out;
  }

  /**
   * Restores the arrays written by {@link #checkpointArrays()} and the iteration count.
   *
   * @throws IllegalArgumentException naming an array that is missing or of the wrong shape
   */
  public void restore(Map<String, INDArray> arrays, int iteration) {
    if (arrays.keySet().stream().anyMatch(k -> k.startsWith("gradmom:"))) {
      trackGradientMomentum();
    }
    for (Map.Entry<String, INDArray> e : checkpointArrays().entrySet()) {
      INDArray saved = arrays.get(e.getKey());
      if (saved == null) {
        throw new IllegalArgumentException("checkpoint lacks array " + e.getKey());
      }
      if (saved.length() != e.getValue().length()) {
        throw new IllegalArgumentException(
            "checkpoint array "
                + e.getKey()
                + " has "
                + saved.length()
                + " values, expected "
                + e.getValue().length());
      }
      e.getValue().assign(saved.reshape(e.getValue().shape()));
    }
    for (int i = 0; i < masks.length; i++) {
      activeCounts[i] = masks[i].sumNumber().longValue();
    }
    this.iteration = iteration;
  }
}
