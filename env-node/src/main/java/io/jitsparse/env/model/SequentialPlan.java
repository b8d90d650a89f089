package io.jitsparse.env.model;

import java.util.List;

/**
 * A network written as a straight chain of layers, as {@link NetworkBuilder} recorded it while it
 * built the SameDiff graph: each layer reads the previous one's output, the first reads the NHWC
 * input and the last produces the logits. The engine runs such networks on a hand-built forward and
 * backward pass instead of the graph (see {@code SparseNetwork}); a network with anything else
 * (residual additions, batch norm, a non-identity weight transform, extra loss terms) has no plan.
 *
 * @param layers the layers from input to logits
 */
public record SequentialPlan(List<Layer> layers) {

  /** Copies the list. */
  public SequentialPlan {
    layers = List.copyOf(layers);
  }

  /** One layer of the chain. */
  public sealed interface Layer permits Conv, Dense, Relu, MaxPool2, Flatten {}

  /**
   * A 2-D convolution with bias, NHWC input, YXIO kernel {@code [kernel, kernel, inC, outC]}.
   *
   * @param weight graph name of the kernel
   * @param bias graph name of the bias {@code [outC]}
   */
  public record Conv(
      String weight,
      String bias,
      int kernel,
      int stride,
      int pad,
      long inH,
      long inW,
      long inC,
      long outH,
      long outW,
      long outC)
      implements Layer {}

  /**
   * A dense layer {@code x W + b}, {@code W} of shape {@code [in, out]}.
   *
   * @param weight graph name of {@code W}
   * @param bias graph name of {@code b} {@code [out]}
   */
  public record Dense(String weight, String bias, long in, long out) implements Layer {}

  /** ReLU. */
  public record Relu() implements Layer {}

  /** 2x2 max-pooling with stride 2 on an NHWC feature of height {@code inH}, width {@code inW}. */
  public record MaxPool2(long inH, long inW, long channels) implements Layer {}

  /** NHWC {@code [B, H, W, C]} to {@code [B, H*W*C]}. */
  public record Flatten(long size) implements Layer {}
}
