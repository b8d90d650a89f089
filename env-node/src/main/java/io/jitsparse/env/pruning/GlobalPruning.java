package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Global pruning: removes a total number of weights across several layers by one ranking of the
 * criterion's scores over all of them, instead of a fixed count per layer (Nowak et al., "Fantastic
 * Weights and How to Find Them", NeurIPS 2023, Section 3 and their global-pruning ablation). Ties
 * are broken by layer order, then index.
 *
 * <p>SET ranks each sign on its own, so for a {@link SetPruner} the total is split between all
 * layers' non-negative and negative weights in proportion to their numbers and each sign is ranked
 * globally by {@code |w|}, as the authors' global SET pruner does.
 */
public final class GlobalPruning {

  private GlobalPruning() {}

  /**
   * Per-layer flat indices to prune, in the order of {@code layers} and ascending within a layer;
   * {@code min(totalCount, active weights)} indices in all. Scores are requested from the criterion
   * layer by layer in list order, so a seeded {@code rng} gives a fixed choice.
   *
   * @throws IllegalArgumentException if {@code totalCount < 0} or the layers hold more than {@link
   *     Integer#MAX_VALUE} weights together
   */
  public static int[][] select(
      PruneCriterion criterion, List<LayerView> layers, long totalCount, SplittableRandom rng) {
    if (totalCount < 0) {
      throw new IllegalArgumentException("totalCount must be >= 0, got " + totalCount);
    }
    int[] offsets = offsets(layers);
    int[] positions =
        criterion instanceof SetPruner
            ? selectBySign(layers, offsets, totalCount)
            : selectByScore(criterion, layers, offsets, totalCount, rng);
    return splitByLayer(positions, offsets, layers.size());
  }

  private static int[] selectByScore(
      PruneCriterion criterion,
      List<LayerView> layers,
      int[] offsets,
      long totalCount,
      SplittableRandom rng) {
    int active = 0;
    for (LayerView layer : layers) {
      active += layer.activeCount();
    }
    long[] keys = new long[active];
    int k = 0;
    for (int l = 0; l < layers.size(); l++) {
      LayerView layer = layers.get(l);
      float[] scores = criterion.scores(layer, rng);
      float[] mask = layer.mask();
      for (int i = 0; i < mask.length; i++) {
        if (mask[i] != 0f) {
          keys[k++] = Selection.key(Selection.ascendingBits(scores[i]), offsets[l] + i);
        }
      }
    }
    return Selection.lowestPositions(keys, (int) Math.min(totalCount, active));
  }

  private static int[] selectBySign(List<LayerView> layers, int[] offsets, long totalCount) {
    int nonNegative = 0;
    int negative = 0;
    for (LayerView layer : layers) {
      float[] w = layer.weights();
      float[] mask = layer.mask();
      for (int i = 0; i < w.length; i++) {
        if (mask[i] != 0f) {
          if (SetPruner.isNegative(w[i])) {
            negative++;
          } else {
            nonNegative++;
          }
        }
      }
    }
    long[] nonNegativeKeys = new long[nonNegative];
    long[] negativeKeys = new long[negative];
    int p = 0;
    int n = 0;
    for (int l = 0; l < layers.size(); l++) {
      float[] w = layers.get(l).weights();
      float[] mask = layers.get(l).mask();
      for (int i = 0; i < w.length; i++) {
        if (mask[i] != 0f) {
          long key = Selection.key(Selection.ascendingBits(Math.abs(w[i])), offsets[l] + i);
          if (SetPruner.isNegative(w[i])) {
            negativeKeys[n++] = key;
          } else {
            nonNegativeKeys[p++] = key;
          }
        }
      }
    }
    long[] split = SetPruner.splitBySign(totalCount, nonNegative, negative);
    int[] a = Selection.lowestPositions(nonNegativeKeys, (int) split[0]);
    int[] b = Selection.lowestPositions(negativeKeys, (int) split[1]);
    int[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Start of each layer in one concatenated index space, plus the total at the end. */
  private static int[] offsets(List<LayerView> layers) {
    int[] offsets = new int[layers.size() + 1];
    long total = 0;
    for (int l = 0; l < layers.size(); l++) {
      offsets[l] = (int) total;
      total += layers.get(l).size();
      if (total > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "global pruning supports at most " + Integer.MAX_VALUE + " weights, got " + total);
      }
    }
    offsets[layers.size()] = (int) total;
    return offsets;
  }

  private static int[][] splitByLayer(int[] positions, int[] offsets, int layerCount) {
    Arrays.sort(positions);
    int[][] perLayer = new int[layerCount][];
    int from = 0;
    for (int l = 0; l < layerCount; l++) {
      int to = from;
      while (to < positions.length && positions[to] < offsets[l + 1]) {
        to++;
      }
      int[] indices = new int[to - from];
      for (int i = from; i < to; i++) {
        indices[i - from] = positions[i] - offsets[l];
      }
      perLayer[l] = indices;
      from = to;
    }
    return perLayer;
  }
}
