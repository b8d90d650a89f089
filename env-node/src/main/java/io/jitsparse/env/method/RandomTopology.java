package io.jitsparse.env.method;

import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.SparseNetwork;
import java.util.SplittableRandom;

/**
 * Random initial masks at given per-layer densities (the initial topology of SET, RigL and static
 * sparse training).
 */
final class RandomTopology {

  private RandomTopology() {}

  static void apply(SparseNetwork net, double[] densities, SplittableRandom rng) {
    for (int i = 0; i < densities.length; i++) {
      int size = Math.toIntExact(net.tensors().get(i).size());
      int keep = (int) DensityMover.targetCount(densities[i], size);
      int[] order = new int[size];
      for (int k = 0; k < size; k++) {
        order[k] = k;
      }
      // Partial Fisher-Yates: the first `keep` entries become a uniform random subset.
      float[] mask = new float[size];
      for (int k = 0; k < keep; k++) {
        int j = k + rng.nextInt(size - k);
        int tmp = order[k];
        order[k] = order[j];
        order[j] = tmp;
        mask[order[k]] = 1f;
      }
      net.setMask(i, mask);
    }
  }
}
