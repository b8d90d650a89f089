package io.jitsparse.env.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Turns a prunable weight variable into the effective weight the layer computes with. The masked
 * engine uses the identity (masks act on gradients and weights outside the graph); DST with
 * trainable masked layers (Liu et al. 2020) inserts its thresholded mask here.
 */
@FunctionalInterface
public interface WeightTransform {

  /** The identity transform. */
  WeightTransform IDENTITY = (builder, tensor, weight) -> weight;

  /**
   * Returns the effective weight for {@code tensor}.
   *
   * @param builder the network builder, for creating extra variables
   * @param tensor the prunable tensor the weight belongs to
   * @param weight the raw weight variable
   */
  SDVariable apply(NetworkBuilder builder, PrunableTensor tensor, SDVariable weight);
}
