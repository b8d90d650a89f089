package io.jitsparse.env.sparse;

/**
 * A flat, row-major view of one prunable tensor as the prune and grow criteria see it: its weights,
 * the dense gradient of the loss with respect to the effective (masked) weights, its binary mask
 * and, where a criterion asks for it, a running average of the dense gradient.
 *
 * <p>All arrays have the same length. {@code mask[i]} is 1 for an active weight and 0 for a pruned
 * one; pruned weights are exactly zero. Arrays are copies: criteria may read them freely and must
 * not keep them.
 *
 * @param name the tensor's name in the model (for example {@code conv2/W})
 * @param index the tensor's index among the model's prunable tensors
 * @param weights current weights
 * @param gradient dense gradient dL/dW at the current step (may be all zero when unavailable)
 * @param mask binary mask, 1 = active
 * @param gradientMomentum exponential moving average of the dense gradient, or {@code null}
 */
public record LayerView(
    String name,
    int index,
    float[] weights,
    float[] gradient,
    float[] mask,
    float[] gradientMomentum) {

  /** Number of weights in the tensor. */
  public int size() {
    return weights.length;
  }

  /** Number of active (unmasked) weights. */
  public int activeCount() {
    int n = 0;
    for (float m : mask) {
      if (m != 0f) {
        n++;
      }
    }
    return n;
  }
}
