package io.jitsparse.env.method;

import io.jitsparse.env.density.DensityDistribution;
import io.jitsparse.env.schedule.PruneFractionDecay;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Dynamic sparse training at a fixed density (SET, Mocanu et al. 2018; RigL, Evci et al. 2020; the
 * prune/grow study of Nowak et al. 2023): random masks at the target density spread by the
 * distribution, then every {@code deltaT} steps until {@code endStep} each layer prunes a fraction
 * of its active weights by the prune criterion and regrows as many by the grow criterion; the
 * fraction decays (cosine by default, 0.5 to 0.005).
 */
public final class DstMethod implements SparsityMethod {

  private final DensityDistribution distribution;
  private final double density;
  private final DensityMover mover;
  private final PruneFractionDecay decay;
  private final long deltaT;
  private final long endStep;
  private final SplittableRandom rng;

  /**
   * @param distribution spreads the density over layers
   * @param density the global density
   * @param mover prunes and regrows
   * @param decay the prune fraction over steps
   * @param deltaT steps between mask updates
   * @param endStep no mask update after this step
   * @param rng seeded source of the initial masks
   */
  public DstMethod(
      DensityDistribution distribution,
      double density,
      DensityMover mover,
      PruneFractionDecay decay,
      long deltaT,
      long endStep,
      SplittableRandom rng) {
    this.distribution = distribution;
    this.density = density;
    this.mover = mover;
    this.decay = decay;
    this.deltaT = deltaT;
    this.endStep = endStep;
    this.rng = rng;
  }

  @Override
  public String name() {
    return "dst";
  }

  @Override
  public void initialize(SparseNetwork net) {
    if (mover.growCriterion().needsGradientMomentum()) {
      net.trackGradientMomentum();
    }
    RandomTopology.apply(net, distribution.densities(net.tensors(), density), rng);
  }

  @Override
  public boolean updatesMasksAt(long step) {
    return step % deltaT == 0 && step < endStep;
  }

  @Override
  public boolean computesDenseGradientAt(long step) {
    // Sparse momentum keeps a running average of dense gradients, so it needs them every step.
    if (mover.growCriterion().needsGradientMomentum()) {
      return true;
    }
    return updatesMasksAt(step) && mover.growCriterion().needsDenseGradient();
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    if (!updatesMasksAt(step)) {
      return List.of();
    }
    double fraction = decay.fraction(step);
    List<MaskChange> changes = new ArrayList<>();
    for (int i = 0; i < net.tensors().size(); i++) {
      changes.add(mover.pruneAndRegrow(net, i, fraction, result.denseGradients()[i]));
    }
    return changes;
  }
}
