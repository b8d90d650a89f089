package io.jitsparse.env.pruning;

import io.jitsparse.env.sparse.LayerView;
import java.util.SplittableRandom;

/**
 * Decides which active weights of a layer to remove. Scores are "importance": the active weights
 * with the lowest score are pruned first (Nowak et al., "Fantastic Weights and How to Find Them",
 * NeurIPS 2023, Section 3).
 */
public interface PruneCriterion {

  /** The criterion's command-line name, for example {@code magnitude}. */
  String name();

  /**
   * Importance of every weight of the layer (only entries with {@code mask[i] == 1} are used).
   * Scores of different layers are comparable, so that global pruning can rank them together.
   */
  float[] scores(LayerView layer, SplittableRandom rng);

  /**
   * Flat indices of exactly {@code count} active weights to remove (fewer only when the layer has
   * fewer active weights). The default removes the lowest-scored active weights; ties are broken by
   * index so that the choice is deterministic.
   */
  default int[] selectToPrune(LayerView layer, int count, SplittableRandom rng) {
    return Selection.lowestActive(scores(layer, rng), layer.mask(), count);
  }
}
