package io.jitsparse.env.method;

import io.jitsparse.env.density.DensityDistribution;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Static sparse training: random masks at the target density from the first step, never updated.
 */
public final class StaticMethod implements SparsityMethod {

  private final DensityDistribution distribution;
  private final double density;
  private final SplittableRandom rng;

  /**
   * @param distribution how the density is spread over layers (ERK by default)
   * @param density the global density
   * @param rng seeded source of the random masks
   */
  public StaticMethod(DensityDistribution distribution, double density, SplittableRandom rng) {
    this.distribution = distribution;
    this.density = density;
    this.rng = rng;
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public void initialize(SparseNetwork net) {
    RandomTopology.apply(net, distribution.densities(net.tensors(), density), rng);
  }

  @Override
  public boolean updatesMasksAt(long step) {
    return false;
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    return List.of();
  }
}
