package io.jitsparse.env.method;

import io.jitsparse.env.model.WeightTransform;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.List;

/**
 * A way of deciding when and how much each layer is sparsified during training: the handcrafted
 * baselines (dense, static, GMP, DST, DST with trainable thresholds) and, later, the learned
 * policy. Steps are counted from 1: {@code step} is the number of optimiser steps completed.
 */
public interface SparsityMethod {

  /** The method's command-line name. */
  String name();

  /** How prunable weights enter the graph (identity except for trainable thresholds). */
  default WeightTransform weightTransform() {
    return WeightTransform.IDENTITY;
  }

  /** Sets the initial masks of a freshly built network. */
  void initialize(SparseNetwork net);

  /** Whether the step that completes {@code step} updates masks and needs dense gradients. */
  boolean updatesMasksAt(long step);

  /**
   * Whether the step that completes {@code step} computes dense gradients for growth, which RigL's
   * FLOPs accounting charges as {@code 2 f_S + f_D} per sample. Pruning never needs them: the
   * gradients of active weights come with every sparse backward pass.
   */
  default boolean computesDenseGradientAt(long step) {
    return false;
  }

  /**
   * Called after the optimiser step that completes {@code step}; updates masks when it is a
   * mask-update step.
   *
   * @return the per-layer changes, empty when nothing changed
   */
  List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result);

  /** The densities the network computes with now, per prunable tensor. */
  default double[] densities(SparseNetwork net) {
    return net.densities();
  }

  /**
   * Whether the schedule log should get a row at {@code step} even without a mask change (methods
   * whose density drifts continuously).
   */
  default boolean logsAt(long step) {
    return false;
  }
}
