package io.jitsparse.env.model;

import java.util.Arrays;

/**
 * One prunable weight tensor of a model (conv kernels and dense matrices; never biases or
 * batch-norm parameters), with the facts the density distributions, the FLOPs accounting and the
 * agent's layer features need.
 *
 * @param index position among the model's prunable tensors (0 = closest to the input)
 * @param name stable name, for example {@code conv1/W}
 * @param kind {@link Kind#CONV} or {@link Kind#DENSE}
 * @param shape the tensor's shape: dense {@code [fanIn, fanOut]}, conv {@code [kH, kW, inC, outC]}
 *     (YXIO, output channels last)
 * @param fanIn inputs per output unit (dense: rows; conv: kH * kW * inC)
 * @param fanOut output units (dense: columns; conv: outC)
 * @param outputPositions spatial positions the kernel is applied at per sample (1 for dense)
 */
public record PrunableTensor(
    int index,
    String name,
    Kind kind,
    long[] shape,
    long fanIn,
    long fanOut,
    long outputPositions) {

  /** What kind of layer the tensor belongs to. */
  public enum Kind {
    CONV,
    DENSE
  }

  /** Number of weights. */
  public long size() {
    return Arrays.stream(shape).reduce(1L, (a, b) -> a * b);
  }

  /**
   * Dense forward FLOPs per sample: one multiply-add (2 FLOPs) per weight per output position
   * (RigL's accounting, Evci et al. 2020, Appendix H).
   */
  public long denseForwardFlops() {
    return 2L * size() * outputPositions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrunableTensor t
        && t.index == index
        && t.name.equals(name)
        && t.kind == kind
        && Arrays.equals(t.shape, shape)
        && t.fanIn == fanIn
        && t.fanOut == fanOut
        && t.outputPositions == outputPositions;
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
