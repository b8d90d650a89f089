package io.jitsparse.env.method;

import io.jitsparse.env.model.NetworkBuilder;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.WeightTransform;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Dynamic sparse training with trainable masked layers (Liu et al., ICLR 2020): each output neuron
 * or filter has a trainable threshold t; the layer computes with {@code W * step(|W| - t)} (the
 * step with the {@link LongTailedEstimator}); the loss adds {@code alpha * sum exp(-t)} (Eq. 5)
 * which pushes thresholds up; a layer that keeps 1% of its weights or fewer has its thresholds
 * reset to zero (Section 3.3). Its density comes from alpha, not from a schedule.
 */
public final class DstThresholdsMethod implements SparsityMethod {

  /** Keep ratio at or below which a layer's thresholds are reset. */
  public static final double RESET_KEEP_RATIO = 0.01;

  /** Suffix of a tensor's threshold variable name. */
  public static final String THRESHOLD_SUFFIX = "/threshold";

  private final double alpha;
  private final long logEvery;
  private final List<String> thresholdNames = new ArrayList<>();
  private long resets;

  /**
   * @param alpha weight of the threshold regulariser (higher ends sparser)
   * @param logEvery steps between schedule log rows
   */
  public DstThresholdsMethod(double alpha, long logEvery) {
    if (!(alpha >= 0)) {
      throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
    }
    this.alpha = alpha;
    this.logEvery = logEvery;
  }

  @Override
  public String name() {
    return "dst-thresholds";
  }

  @Override
  public WeightTransform weightTransform() {
    return this::maskedWeight;
  }

  private SDVariable maskedWeight(NetworkBuilder b, PrunableTensor tensor, SDVariable w) {
    String name = tensor.name() + THRESHOLD_SUFFIX;
    thresholdNames.add(name);
    SDVariable t = b.trainable(name, Nd4j.zeros(DataType.FLOAT, tensor.fanOut()));
    // Output units are the last dimension of both dense [in, out] and YXIO conv kernels, so the
    // per-unit threshold broadcasts along it.
    SDVariable margin = b.sameDiff().math().abs(w).sub(t);
    SDVariable mask = LongTailedEstimator.step(b.sameDiff(), margin);
    if (alpha > 0) {
      b.addLossTerm(b.sameDiff().math().exp(t.neg()).sum().mul(alpha));
    }
    return w.mul(mask);
  }

  /** How many times a layer's thresholds were reset. */
  public long resets() {
    return resets;
  }

  @Override
  public void initialize(SparseNetwork net) {
    // The regulariser alone decides how far thresholds rise; decay would pull them back to zero.
    net.excludeFromWeightDecay(thresholdNames);
  }

  @Override
  public boolean updatesMasksAt(long step) {
    return false;
  }

  @Override
  public boolean logsAt(long step) {
    return step % logEvery == 0;
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    double[] d = densities(net);
    for (int i = 0; i < d.length; i++) {
      if (d[i] <= RESET_KEEP_RATIO) {
        net.array(thresholdNames.get(i)).assign(0);
        resets++;
      }
    }
    return List.of();
  }

  @Override
  public double[] densities(SparseNetwork net) {
    double[] d = new double[net.tensors().size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = keptFraction(net.weights(i), net.array(thresholdNames.get(i)));
    }
    return d;
  }

  /** Fraction of {@code w} with {@code |w| > t} for its output unit. */
  static double keptFraction(INDArray w, INDArray t) {
    long out = t.length();
    INDArray margin = Transforms.abs(w, true).reshape(w.length() / out, out).subRowVector(t);
    return margin.gt(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
  }
}
