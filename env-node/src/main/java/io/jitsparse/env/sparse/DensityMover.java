package io.jitsparse.env.sparse;

import io.jitsparse.env.growth.GrowCriterion;
import io.jitsparse.env.pruning.GlobalPruning;
import io.jitsparse.env.pruning.PruneCriterion;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one primitive every sparsity method, and the learned policy, drives: move a layer to any
 * target density. Going down prunes by the prune criterion, going up grows by the grow criterion,
 * and staying put can prune and regrow a fraction of the active weights (SET, RigL). Regrown
 * weights start at zero.
 */
public final class DensityMover {

  private final PruneCriterion prune;
  private final GrowCriterion grow;
  private SplittableRandom rng;

  /**
   * @param prune how weights are chosen for removal
   * @param grow how weights are chosen for regrowth
   * @param rng source of all random choices (seeded by the run)
   */
  public DensityMover(PruneCriterion prune, GrowCriterion grow, SplittableRandom rng) {
    this.prune = prune;
    this.grow = grow;
    this.rng = rng;
  }

  /**
   * Restarts the random choices from {@code seed}, so that a run resumed from a checkpoint makes
   * the same choices as one run straight through (the trainer reseeds before every update).
   */
  public void reseed(long seed) {
    this.rng = new SplittableRandom(seed);
  }

  /** The prune criterion. */
  public PruneCriterion pruneCriterion() {
    return prune;
  }

  /** The grow criterion. */
  public GrowCriterion growCriterion() {
    return grow;
  }

  /**
   * The number of active weights that realises {@code density} for a tensor of {@code size}
   * weights: rounded, and at least one so that no layer is cut off.
   */
  public static long targetCount(double density, long size) {
    long count = Math.round(density * size);
    return Math.max(1, Math.min(size, count));
  }

  /**
   * Moves layer {@code layer} to {@code targetCount} active weights: prunes when above, grows when
   * below (with growth {@code none} a layer cannot go up and stays where it is).
   *
   * @param denseGradient dL/dW of the layer for gradient-based criteria, or {@code null}
   */
  public MaskChange moveTo(SparseNetwork net, int layer, long targetCount, INDArray denseGradient) {
    long active = net.activeCount(layer);
    if (targetCount == active) {
      return new MaskChange(layer, 0, 0, active);
    }
    LayerView view = net.view(layer, denseGradient);
    float[] mask = view.mask();
    long pruned = 0;
    long grown = 0;
    if (targetCount < active) {
      for (int k : prune.selectToPrune(view, (int) (active - targetCount), rng)) {
        mask[k] = 0f;
        pruned++;
      }
    } else {
      for (int k : grow.selectToGrow(view, (int) (targetCount - active), rng)) {
        mask[k] = 1f;
        grown++;
      }
    }
    net.setMask(layer, mask);
    return new MaskChange(layer, pruned, grown, net.activeCount(layer));
  }

  /**
   * Prunes {@code fraction} of the layer's active weights and regrows as many (SET, RigL), so that
   * the density is unchanged. A just-pruned weight may be regrown; it restarts at zero.
   */
  public MaskChange pruneAndRegrow(
      SparseNetwork net, int layer, double fraction, INDArray denseGradient) {
    long active = net.activeCount(layer);
    int count = (int) Math.round(fraction * active);
    if (count == 0) {
      return new MaskChange(layer, 0, 0, active);
    }
    LayerView view = net.view(layer, denseGradient);
    float[] mask = view.mask();
    float[] weights = view.weights();
    int[] removed = prune.selectToPrune(view, count, rng);
    for (int k : removed) {
      mask[k] = 0f;
      weights[k] = 0f;
    }
    int[] added = grow.selectToGrow(view, removed.length, rng);
    for (int k : added) {
      mask[k] = 1f;
    }
    // A weight pruned and regrown in the same update restarts at zero like any regrown one.
    net.setMask(layer, mask, removed);
    return new MaskChange(layer, removed.length, added.length, net.activeCount(layer));
  }

  /**
   * Prunes across all layers at once to {@code totalTarget} active weights, ranking every active
   * weight by one criterion (global pruning).
   */
  public List<MaskChange> globalPruneTo(
      SparseNetwork net, long totalTarget, INDArray[] denseGradients) {
    int n = net.tensors().size();
    long active = 0;
    List<LayerView> views = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      active += net.activeCount(i);
      views.add(net.view(i, denseGradients == null ? null : denseGradients[i]));
    }
    List<MaskChange> changes = new ArrayList<>(n);
    if (totalTarget >= active) {
      for (int i = 0; i < n; i++) {
        changes.add(new MaskChange(i, 0, 0, net.activeCount(i)));
      }
      return changes;
    }
    int[][] selected = GlobalPruning.select(prune, views, active - totalTarget, rng);
    for (int i = 0; i < n; i++) {
      float[] mask = views.get(i).mask();
      for (int k : selected[i]) {
        mask[k] = 0f;
      }
      net.setMask(i, mask);
      changes.add(new MaskChange(i, selected[i].length, 0, net.activeCount(i)));
    }
    return changes;
  }
}
