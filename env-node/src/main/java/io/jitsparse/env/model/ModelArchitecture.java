package io.jitsparse.env.model;

import org.nd4j.autodiff.samediff.SDVariable;

/** A network architecture for 28x28x1 inputs and 10 classes, built as a SameDiff graph. */
public interface ModelArchitecture {

  /** The model's registry name, for example {@code lenet5-caffe}. */
  String name();

  /**
   * Adds the network to {@code builder}'s graph and returns the logits ({@code [B, 10]}).
   *
   * @param builder the builder holding the graph, the NHWC input and the initialiser
   */
  SDVariable build(NetworkBuilder builder);
}
