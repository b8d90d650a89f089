package io.jitsparse.env.method;

import io.jitsparse.env.density.DensityDistribution;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.schedule.DensitySchedule;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradual pruning (Zhu and Gupta 2017, "To prune, or not to prune"): starts dense and, every {@code
 * deltaT} steps between a start and an end step, prunes each layer to the density the schedule
 * gives (cubic = AGP), spread over layers by the distribution, or globally across layers.
 *
 * <p>A learned schedule steers it ({@link #steer}): its per-layer densities become the steering's
 * adjustment of the reference densities GMP would prune to, on the same grid of update steps, so
 * that a steering that changes nothing is exactly this method (docs/rl-design.md, "Action").
 */
public final class GmpMethod implements SparsityMethod {

  /** Adjusts the per-layer densities GMP prunes to at an update step. */
  @FunctionalInterface
  public interface Steering {

    /**
     * @param step the update step
     * @param reference the densities GMP itself would prune to at {@code step}
     * @return the densities to prune to instead (a layer is never grown by GMP)
     */
    double[] adjust(long step, double[] reference);
  }

  private Steering steering = (step, reference) -> reference;

  private final DensitySchedule schedule;
  private final DensityDistribution distribution;
  private final DensityMover mover;
  private final long startStep;
  private final long endStep;
  private final long deltaT;
  private final boolean globalPruning;

  /**
   * @param schedule the global density over steps
   * @param distribution spreads each global density over layers (ignored when pruning globally)
   * @param mover prunes (growth is not used)
   * @param startStep first update step
   * @param endStep last update step
   * @param deltaT steps between updates
   * @param globalPruning rank all layers' weights together instead of per layer
   */
  public GmpMethod(
      DensitySchedule schedule,
      DensityDistribution distribution,
      DensityMover mover,
      long startStep,
      long endStep,
      long deltaT,
      boolean globalPruning) {
    this.schedule = schedule;
    this.distribution = distribution;
    this.mover = mover;
    this.startStep = startStep;
    this.endStep = endStep;
    this.deltaT = deltaT;
    this.globalPruning = globalPruning;
  }

  /** Steers the per-layer densities from now on (not with global pruning). */
  public void steer(Steering steering) {
    if (globalPruning) {
      throw new IllegalStateException("a globally pruned GMP has no per-layer densities to steer");
    }
    this.steering = steering;
  }

  /** Per-layer densities GMP itself prunes to at {@code step} (before any steering). */
  public double[] referenceDensities(List<PrunableTensor> tensors, long step) {
    return distribution.densities(tensors, schedule.density(step));
  }

  @Override
  public String name() {
    return "gmp";
  }

  @Override
  public void initialize(SparseNetwork net) {
    double initial = schedule.density(0);
    if (initial < 1.0) {
      prune(net, initial, null);
    }
  }

  @Override
  public boolean updatesMasksAt(long step) {
    boolean onGrid = (step - startStep) % deltaT == 0 || step == endStep;
    return step >= startStep && step <= endStep && onGrid;
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    if (!updatesMasksAt(step)) {
      return List.of();
    }
    if (globalPruning) {
      return prune(net, schedule.density(step), result.denseGradients());
    }
    return pruneTo(
        net,
        steering.adjust(step, referenceDensities(net.tensors(), step)),
        result.denseGradients());
  }

  private List<MaskChange> prune(SparseNetwork net, double globalDensity, INDArray[] g) {
    if (globalPruning) {
      long total = 0;
      for (PrunableTensor t : net.tensors()) {
        total += t.size();
      }
      return mover.globalPruneTo(net, Math.round(globalDensity * total), g);
    }
    double[] layer = distribution.densities(net.tensors(), globalDensity);
    return pruneTo(net, layer, g);
  }

  private List<MaskChange> pruneTo(SparseNetwork net, double[] layer, INDArray[] g) {
    List<MaskChange> changes = new ArrayList<>();
    for (int i = 0; i < layer.length; i++) {
      long target = DensityMover.targetCount(layer[i], net.tensors().get(i).size());
      // Gradual pruning only removes: a layer never grows back toward a looser target.
      if (target < net.activeCount(i)) {
        changes.add(mover.moveTo(net, i, target, g == null ? null : g[i]));
      }
    }
    return changes;
  }
}
