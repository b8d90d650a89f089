package io.jitsparse.env.sparse;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one training step produced.
 *
 * @param loss mean training loss of the batch (including regularisers)
 * @param correct number of correctly classified samples in the batch
 * @param batchSize samples in the batch
 * @param denseGradients per prunable tensor, dL/dW before masking, or {@code null} when the step
 *     was not asked to keep them
 */
public record StepResult(double loss, int correct, int batchSize, INDArray[] denseGradients) {

  /** Fraction of the batch classified correctly. */
  public double accuracy() {
    return batchSize == 0 ? 0 : (double) correct / batchSize;
  }
}
