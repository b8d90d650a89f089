package io.jitsparse.env.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One mini-batch of Fashion-MNIST ready for the network.
 *
 * @param features FLOAT {@code [B, 28, 28, 1]} (NHWC), pixels normalised to [-1, 1]
 * @param labels FLOAT {@code [B, 10]} one-hot
 * @param classes the same labels as class indices 0..9, for accuracy without an argmax
 * @param sampleIndices which samples of the underlying train or test arrays the rows are
 */
public record Batch(INDArray features, INDArray labels, int[] classes, int[] sampleIndices)
    implements AutoCloseable {

  /** Number of samples B. */
  public int size() {
    return classes.length;
  }

  /** Frees the off-heap memory of both arrays now instead of when they are garbage collected. */
  @Override
  public void close() {
    features.close();
    labels.close();
  }
}
