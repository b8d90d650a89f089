package io.jitsparse.env.schedule;

/**
 * The global target density of the model at each training step: the sparsity curve of gradual
 * magnitude pruning (Zhu and Gupta, "To prune, or not to prune", 2017, Eq. 1) and its variants.
 */
public interface DensitySchedule {

  /** The schedule's command-line name, for example {@code cubic}. */
  String name();

  /** Global target density (fraction of weights kept) at training step {@code step}. */
  double density(long step);
}
