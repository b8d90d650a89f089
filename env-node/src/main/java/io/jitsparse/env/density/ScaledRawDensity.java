package io.jitsparse.env.density;

import io.jitsparse.env.model.PrunableTensor;
import java.util.List;

/**
 * A density distribution of the form {@code d_l = min(1, eps * raw_l)}, with {@code eps} chosen so
 * that the kept weights add up to the global density: RigL's solver for ER and ERK (Evci et al.,
 * "Rigging the Lottery", ICML 2020, Section 3; {@code sparse_utils.get_sparsities}).
 *
 * <p>Solve {@code eps = (d * N - sum_{dense} n_l) / sum_{rest} raw_l * n_l}; every tensor whose
 * {@code eps * raw_l} exceeds 1 is made dense and dropped from the rest, and {@code eps} is solved
 * again until none exceeds 1. RigL drops only the tensors of the largest raw density per round;
 * dropping all that exceed 1 at once gives the same result, because capping a tensor frees budget
 * and so can only raise {@code eps} for the rest.
 */
abstract class ScaledRawDensity implements DensityDistribution {

  private final double powerScale;

  ScaledRawDensity(double powerScale) {
    if (!(powerScale >= 0) || Double.isInfinite(powerScale)) {
      throw new IllegalArgumentException("power scale must be finite and >= 0, got " + powerScale);
    }
    this.powerScale = powerScale;
  }

  /** Exponent applied to the raw density. */
  public double powerScale() {
    return powerScale;
  }

  /** The tensor's density before scaling by {@code eps} and before the power scale. */
  abstract double baseRawDensity(long[] shape);

  @Override
  public double[] densities(List<PrunableTensor> tensors, double globalDensity) {
    DensityDistributions.requireGlobalDensity(globalDensity);
    int layers = tensors.size();
    double[] raw = new double[layers];
    double[] size = new double[layers];
    double total = 0;
    for (int l = 0; l < layers; l++) {
      long[] shape = tensors.get(l).shape();
      for (long dim : shape) {
        if (dim <= 0) {
          throw new IllegalArgumentException(
              "tensor " + tensors.get(l) + " has a non-positive dimension");
        }
      }
      raw[l] = Math.pow(baseRawDensity(shape), powerScale);
      size[l] = tensors.get(l).size();
      total += size[l];
    }
    boolean[] dense = new boolean[layers];
    double eps = 0;
    boolean changed = true;
    while (changed) {
      changed = false;
      double budget = globalDensity * total;
      double divisor = 0;
      for (int l = 0; l < layers; l++) {
        if (dense[l]) {
          budget -= size[l];
        } else {
          divisor += raw[l] * size[l];
        }
      }
      if (divisor == 0) {
        break; // every tensor is dense
      }
      eps = Math.max(0, budget / divisor);
      for (int l = 0; l < layers; l++) {
        if (!dense[l] && eps * raw[l] > 1) {
          dense[l] = true;
          changed = true;
        }
      }
    }
    double[] d = new double[layers];
    for (int l = 0; l < layers; l++) {
      d[l] = dense[l] ? 1.0 : Math.min(1.0, eps * raw[l]);
    }
    return d;
  }

  static void requireRank(long[] shape, int minRank) {
    if (shape.length < minRank) {
      throw new IllegalArgumentException(
          "need a tensor of rank >= " + minRank + ", got rank " + shape.length);
    }
  }
}
