package io.jitsparse.env.flops;

import io.jitsparse.env.model.PrunableTensor;
import java.util.List;

/**
 * Training FLOPs as RigL counts them (Evci et al. 2020, Appendix H), the one function every
 * method's {@code training_flops} comes from. Only conv and dense layers count; a multiply-add is
 * two FLOPs; bias, activation, pooling and normalisation are ignored; evaluation is not counted.
 *
 * <ul>
 *   <li>f_D: dense forward FLOPs per sample, {@code sum_l 2 * n_l * positions_l};
 *   <li>f_S: sparse forward FLOPs per sample at the current densities, {@code sum_l d_l * f_D,l};
 *   <li>a normal step costs {@code 3 * f_S} per sample (forward, and backward for activations and
 *       weights, each about a forward's cost);
 *   <li>a step that computes the dense gradient for growth costs {@code 2 * f_S + f_D} per sample
 *       (the weight gradient is dense).
 * </ul>
 *
 * <p>{@code flops_vs_dense} divides a run's total by that of the dense run of the same length:
 * {@code steps * batch * 3 * f_D}.
 */
public final class TrainingFlops {

  private final long[] denseForward;
  private final double denseForwardTotal;
  private double total;

  /** Accounting for a model with these prunable tensors. */
  public TrainingFlops(List<PrunableTensor> tensors) {
    this.denseForward = tensors.stream().mapToLong(PrunableTensor::denseForwardFlops).toArray();
    double sum = 0;
    for (long f : denseForward) {
      sum += f;
    }
    this.denseForwardTotal = sum;
  }

  /** f_D: dense forward FLOPs per sample. */
  public double denseForwardPerSample() {
    return denseForwardTotal;
  }

  /** f_S: forward FLOPs per sample at the given per-tensor densities. */
  public double sparseForwardPerSample(double[] densities) {
    if (densities.length != denseForward.length) {
      throw new IllegalArgumentException(
          densities.length + " densities for " + denseForward.length + " tensors");
    }
    double sum = 0;
    for (int i = 0; i < densities.length; i++) {
      sum += densities[i] * denseForward[i];
    }
    return sum;
  }

  /** FLOPs of one training step of {@code batch} samples. */
  public double stepFlops(int batch, double[] densities, boolean denseGradient) {
    double fs = sparseForwardPerSample(densities);
    double perSample = denseGradient ? 2 * fs + denseForwardTotal : 3 * fs;
    return perSample * batch;
  }

  /** Adds one training step to the running total and returns its FLOPs. */
  public double addStep(int batch, double[] densities, boolean denseGradient) {
    double f = stepFlops(batch, densities, denseGradient);
    total += f;
    return f;
  }

  /**
   * Adds a forward pass of {@code samples} samples at the given densities (the validation batch a
   * learned schedule's observations need: compute the schedule spends that a handcrafted one does
   * not) and returns its FLOPs.
   */
  public double addForward(int samples, double[] densities) {
    double f = sparseForwardPerSample(densities) * samples;
    total += f;
    return f;
  }

  /** The running total. */
  public double total() {
    return total;
  }

  /** Restores the running total (checkpoint resume). */
  public void restoreTotal(double value) {
    this.total = value;
  }

  /** FLOPs of a dense run of {@code steps} steps of {@code batch} samples. */
  public double denseRun(long steps, int batch) {
    return 3.0 * denseForwardTotal * batch * steps;
  }
}
