package io.jitsparse.env.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a network as a SameDiff graph in NHWC layout with YXIO conv kernels, the layout the oneDNN
 * kernels of ND4J run fastest in. It records every trainable variable, every prunable tensor with
 * its fan-in, fan-out and output positions, and every batch-norm layer's running statistics.
 *
 * <p>Dense layers are written as {@code x.mmul(W).add(b)}, not {@code nn().linear}: in ND4J
 * 1.0.0-M2.1 the oneDNN helper of {@code xw_plus_b} returns results that change from call to call
 * (see docs/architecture.md).
 *
 * <p>Initialisation follows PyTorch's defaults (uniform in +-1/sqrt(fan-in) for weights and biases,
 * batch-norm scale 1 and shift 0) so that results compare with the PyTorch code bases the baselines
 * come from.
 */
public final class NetworkBuilder {

  /** Input height and width. */
  public static final int IMAGE_SIZE = 28;

  /** Number of classes. */
  public static final int CLASSES = 10;

  /** Name of the NHWC features placeholder. */
  public static final String FEATURES = "features";

  /** Name of the one-hot labels placeholder. */
  public static final String LABELS = "labels";

  /** Name of the batch-norm mode placeholder (1 = training statistics, 0 = running ones). */
  public static final String BN_TRAINING = "bn_training";

  private static final double BN_EPSILON = 1e-5;

  private final SameDiff sd;
  private final Random init;
  private final WeightTransform transform;
  private final SDVariable features;
  private final List<PrunableTensor> prunable = new ArrayList<>();
  private final List<String> prunableVariables = new ArrayList<>();
  private final List<String> trainable = new ArrayList<>();
  private final List<BatchNormLayer> batchNorms = new ArrayList<>();
  private final List<SDVariable> lossTerms = new ArrayList<>();
  private SDVariable bnTraining;

  /** The chain of layers recorded so far, while the graph is still a straight chain. */
  private final List<SequentialPlan.Layer> plan = new ArrayList<>();

  /** The output of the last recorded layer; null once the graph stopped being a plain chain. */
  private SDVariable planHead;

  /** An NHWC activation with its static spatial size. */
  public record Feature(SDVariable variable, long height, long width, long channels) {}

  /** A flat {@code [B, size]} activation. */
  public record Flat(SDVariable variable, long size) {}

  /**
   * A batch-norm layer's graph names: the batch statistics it computes and the running ones it
   * reads at evaluation.
   */
  public record BatchNormLayer(
      String name,
      String batchMean,
      String batchVariance,
      String runningMean,
      String runningVariance) {}

  /**
   * @param sd the graph to build into
   * @param seed seed of the weight initialiser
   * @param transform how a prunable weight becomes the weight the layer computes with
   */
  public NetworkBuilder(SameDiff sd, long seed, WeightTransform transform) {
    this.sd = sd;
    this.init = new Random(seed);
    this.transform = transform;
    this.features = sd.placeHolder(FEATURES, DataType.FLOAT, -1, IMAGE_SIZE, IMAGE_SIZE, 1);
    this.planHead = features;
  }

  /**
   * Records {@code layer} when it continues the chain (reads the last recorded output), otherwise
   * marks the network as not a plain chain. Returns {@code output}.
   */
  private SDVariable chain(SDVariable input, SequentialPlan.Layer layer, SDVariable output) {
    if (planHead != null && input == planHead) {
      plan.add(layer);
      planHead = output;
    } else {
      planHead = null;
    }
    return output;
  }

  /** Marks the network as not a plain chain of layers the engine's direct pass knows. */
  private void breakChain() {
    planHead = null;
  }

  /**
   * The network as a {@link SequentialPlan}, when it is a plain chain of conv (with bias), dense,
   * ReLU, 2x2 max-pool and flatten layers from the input to {@code logits} with identity weight
   * transforms and no extra loss terms; empty otherwise.
   */
  public java.util.Optional<SequentialPlan> sequentialPlan(SDVariable logits) {
    if (planHead == null || logits != planHead || !lossTerms.isEmpty() || plan.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new SequentialPlan(plan));
  }

  /** The graph. */
  public SameDiff sameDiff() {
    return sd;
  }

  /** The input as an NHWC feature. */
  public Feature inputFeature() {
    return new Feature(features, IMAGE_SIZE, IMAGE_SIZE, 1);
  }

  /** Adds a trainable variable with the given initial values. */
  public SDVariable trainable(String name, INDArray initial) {
    trainable.add(name);
    return sd.var(name, initial);
  }

  /** Adds a scalar term to the training loss (for example a regulariser). */
  public void addLossTerm(SDVariable term) {
    breakChain();
    lossTerms.add(term);
  }

  /** A 2-D convolution with bias. */
  public Feature conv(String name, Feature x, int kernel, int outC, int stride, int pad) {
    return convolution(name, x, kernel, outC, stride, pad, true);
  }

  /** A 2-D convolution without bias (for convolutions followed by batch norm). */
  public Feature convNoBias(String name, Feature x, int kernel, int outC, int stride, int pad) {
    return convolution(name, x, kernel, outC, stride, pad, false);
  }

  private Feature convolution(
      String name, Feature x, int kernel, int outC, int stride, int pad, boolean bias) {
    long outH = (x.height() + 2L * pad - kernel) / stride + 1;
    long outW = (x.width() + 2L * pad - kernel) / stride + 1;
    long fanIn = (long) kernel * kernel * x.channels();
    long[] shape = {kernel, kernel, x.channels(), outC};
    SDVariable w = prunableWeight(name, PrunableTensor.Kind.CONV, shape, fanIn, outC, outH * outW);
    SDVariable b = bias ? trainable(name + "/b", uniform(fanIn, outC)) : null;
    Conv2DConfig config =
        Conv2DConfig.builder()
            .kH(kernel)
            .kW(kernel)
            .sH(stride)
            .sW(stride)
            .pH(pad)
            .pW(pad)
            .dataFormat("NHWC")
            .weightsFormat(WeightsFormat.YXIO)
            .build();
    SDVariable out;
    if (b == null) {
      // Only ResNet-18 has convolutions without bias, and it has batch norm: no direct pass.
      breakChain();
      out = sd.cnn().conv2d(x.variable(), w, config);
    } else {
      out = sd.cnn().conv2d(x.variable(), w, b, config);
      chain(
          x.variable(),
          new SequentialPlan.Conv(
              w.name(),
              b.name(),
              kernel,
              stride,
              pad,
              x.height(),
              x.width(),
              x.channels(),
              outH,
              outW,
              outC),
          out);
    }
    return new Feature(out, outH, outW, outC);
  }

  /** A dense layer {@code x W + b}. */
  public Flat dense(String name, Flat x, int out) {
    long[] shape = {x.size(), out};
    SDVariable w = prunableWeight(name, PrunableTensor.Kind.DENSE, shape, x.size(), out, 1);
    SDVariable b = trainable(name + "/b", uniform(x.size(), out));
    SDVariable y = x.variable().mmul(w).add(b);
    chain(x.variable(), new SequentialPlan.Dense(w.name(), b.name(), x.size(), out), y);
    return new Flat(y, out);
  }

  private SDVariable prunableWeight(
      String layer,
      PrunableTensor.Kind kind,
      long[] shape,
      long fanIn,
      long fanOut,
      long positions) {
    String name = layer + "/W";
    PrunableTensor tensor =
        new PrunableTensor(prunable.size(), name, kind, shape, fanIn, fanOut, positions);
    prunable.add(tensor);
    prunableVariables.add(name);
    SDVariable w = trainable(name, uniform(fanIn, shape));
    SDVariable effective = transform.apply(this, tensor, w);
    if (effective != w) {
      // The layer computes with a transformed weight the direct pass does not know.
      breakChain();
    }
    return effective;
  }

  /** 2x2 max-pooling with stride 2. */
  public Feature maxPool2(Feature x) {
    Pooling2DConfig config = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build();
    SDVariable y = sd.cnn().maxPooling2d(x.variable(), config);
    chain(x.variable(), new SequentialPlan.MaxPool2(x.height(), x.width(), x.channels()), y);
    return new Feature(y, x.height() / 2, x.width() / 2, x.channels());
  }

  /** ReLU on an NHWC feature. */
  public Feature relu(Feature x) {
    SDVariable y = chain(x.variable(), new SequentialPlan.Relu(), sd.nn().relu(x.variable(), 0));
    return new Feature(y, x.height(), x.width(), x.channels());
  }

  /** ReLU on a flat activation. */
  public Flat relu(Flat x) {
    return new Flat(
        chain(x.variable(), new SequentialPlan.Relu(), sd.nn().relu(x.variable(), 0)), x.size());
  }

  /** Element-wise sum of two features of the same shape (residual connections). */
  public Feature add(Feature a, Feature b) {
    breakChain();
    return new Feature(a.variable().add(b.variable()), a.height(), a.width(), a.channels());
  }

  /** Flattens an NHWC feature to {@code [B, H*W*C]}. */
  public Flat flatten(Feature x) {
    long size = x.height() * x.width() * x.channels();
    SDVariable y = x.variable().reshape(-1, size);
    return new Flat(chain(x.variable(), new SequentialPlan.Flatten(size), y), size);
  }

  /** Global average pooling over height and width. */
  public Flat globalAveragePool(Feature x) {
    breakChain();
    return new Flat(x.variable().mean(1, 2), x.channels());
  }

  /**
   * Batch normalisation over N, H and W (Ioffe and Szegedy 2015). In training mode it normalises
   * with the batch's statistics, which the trainer reads back to update the running ones; in
   * evaluation mode with the running statistics. The mode is the {@link #BN_TRAINING} scalar.
   */
  public Feature batchNorm(String name, Feature x) {
    breakChain();
    long c = x.channels();
    SDVariable gamma = trainable(name + "/gamma", Nd4j.ones(DataType.FLOAT, c));
    SDVariable beta = trainable(name + "/beta", Nd4j.zeros(DataType.FLOAT, c));
    SDVariable runningMean = sd.constant(name + "/running_mean", Nd4j.zeros(DataType.FLOAT, c));
    SDVariable runningVar = sd.constant(name + "/running_var", Nd4j.ones(DataType.FLOAT, c));
    if (bnTraining == null) {
      bnTraining = sd.placeHolder(BN_TRAINING, DataType.FLOAT);
    }
    SDVariable batchMean = x.variable().mean(name + "/batch_mean", 0, 1, 2);
    SDVariable centred = x.variable().sub(batchMean);
    SDVariable batchVar = centred.mul(centred).mean(name + "/batch_var", 0, 1, 2);
    SDVariable evalWeight = bnTraining.rsub(1.0);
    SDVariable mean = batchMean.mul(bnTraining).add(runningMean.mul(evalWeight));
    SDVariable var = batchVar.mul(bnTraining).add(runningVar.mul(evalWeight));
    SDVariable normalised = x.variable().sub(mean).div(sd.math().sqrt(var.add(BN_EPSILON)));
    batchNorms.add(
        new BatchNormLayer(
            name, batchMean.name(), batchVar.name(), runningMean.name(), runningVar.name()));
    return new Feature(normalised.mul(gamma).add(beta), x.height(), x.width(), c);
  }

  private INDArray uniform(long fanIn, long... shape) {
    double bound = 1.0 / Math.sqrt(fanIn);
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] values = new float[Math.toIntExact(n)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
    }
    return Nd4j.create(values, shape, 'c');
  }

  /** Prunable tensors in the order they were added. */
  public List<PrunableTensor> prunable() {
    return Collections.unmodifiableList(prunable);
  }

  /** Graph variable names of the prunable tensors, parallel to {@link #prunable()}. */
  public List<String> prunableVariables() {
    return Collections.unmodifiableList(prunableVariables);
  }

  /** Names of every trainable variable. */
  public List<String> trainableVariables() {
    return Collections.unmodifiableList(trainable);
  }

  /** The batch-norm layers. */
  public List<BatchNormLayer> batchNorms() {
    return Collections.unmodifiableList(batchNorms);
  }

  /** Extra loss terms added by weight transforms. */
  public List<SDVariable> lossTerms() {
    return Collections.unmodifiableList(lossTerms);
  }
}
