package io.jitsparse.env.trainer;

/**
 * Stands between the agent's requested per-layer densities and the network, for one episode.
 *
 * <p>Why a wall: the agent is learning and may ask for anything in [0, 1] per layer, but every
 * episode must end at the trainer's target global density, or episodes (and their returns) would
 * not be comparable and the agent could buy accuracy with parameters. So the wall
 *
 * <ol>
 *   <li>always clamps each layer to {@code [minLayerDensity, 1]}, so that no layer is cut off (a
 *       layer with no weights disconnects the network);
 *   <li>in the final phase (the last {@code finalPhase} of the episode) scales the request by one
 *       common factor {@code s}, so that the policy's relative allocation between layers is kept
 *       while the global density {@code sum n_i clamp(s r_i) / N} follows the straight line {@code
 *       g(t)} from the density at the start of the final phase to the target at the last step.
 *       {@code s} is found by bisection, since the clamped sum is monotone in {@code s} but not
 *       linear (layers saturate at the bounds);
 *   <li>at the last decision ({@code step == totalSteps}) returns exactly the target global
 *       density.
 * </ol>
 *
 * A straight line rather than a jump keeps the last moves small, so the network has time to recover
 * from the pruning the wall forces. Not thread-safe: one per trainer episode.
 */
public final class ActionWall {

  private static final int BISECTION_ROUNDS = 200;

  private final long[] sizes;
  private final long total;
  private final long totalSteps;
  private final double target;
  private final long finalPhaseStart;
  private final double minLayerDensity;
  private double phaseStartDensity = Double.NaN;
  private long phaseStartStep;

  /**
   * @param sizes weights per prunable layer
   * @param totalSteps steps of the episode (the last decision is at this step)
   * @param target the global density the episode must end at
   * @param finalPhase fraction of the episode, at its end, in which the path is forced
   * @param minLayerDensity lowest density of any layer, in (0, target]
   */
  public ActionWall(
      long[] sizes, long totalSteps, double target, double finalPhase, double minLayerDensity) {
    if (sizes.length == 0) {
      throw new IllegalArgumentException("no layers");
    }
    if (!(minLayerDensity > 0 && minLayerDensity <= target && target <= 1)) {
      throw new IllegalArgumentException(
          "need 0 < min layer density " + minLayerDensity + " <= target " + target + " <= 1");
    }
    this.sizes = sizes.clone();
    long n = 0;
    for (long s : sizes) {
      n += s;
    }
    this.total = n;
    this.totalSteps = totalSteps;
    this.target = target;
    this.minLayerDensity = minLayerDensity;
    this.finalPhaseStart = totalSteps - Math.round(finalPhase * totalSteps);
  }

  /** The first step of the final phase. */
  public long finalPhaseStart() {
    return finalPhaseStart;
  }

  /**
   * The densities to apply at decision step {@code step}.
   *
   * @param requested per-layer densities asked for (the policy's or the fallback schedule's)
   * @param step the decision's step, in [0, totalSteps]
   * @param currentGlobal global density of the network now (remembered at the first decision of the
   *     final phase as the start of the straight path)
   */
  public double[] apply(double[] requested, long step, double currentGlobal) {
    if (requested.length != sizes.length) {
      throw new IllegalArgumentException(
          requested.length + " densities for " + sizes.length + " layers");
    }
    double[] r = new double[requested.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = clamp(requested[i]);
    }
    if (step < finalPhaseStart && step < totalSteps) {
      return r;
    }
    if (Double.isNaN(phaseStartDensity)) {
      phaseStartDensity = currentGlobal;
      // The path is anchored at the phase's first step, not at the first decision inside it: when
      // decisions are sparse, the first one then already moves its share of the way instead of
      // leaving the whole way to the remaining few.
      phaseStartStep = Math.min(step, finalPhaseStart);
    }
    return scaleTo(r, path(step));
  }

  /** The straight-line global density at {@code step} of the final phase. */
  double path(long step) {
    if (step >= totalSteps || totalSteps <= phaseStartStep) {
      return target;
    }
    double f = (double) (step - phaseStartStep) / (totalSteps - phaseStartStep);
    return phaseStartDensity + (target - phaseStartDensity) * f;
  }

  /**
   * Scales {@code r} (already within bounds) by one factor so that the clamped global density is
   * {@code global}; the result is the closest achievable when {@code global} is outside [min, 1].
   */
  public double[] scaleTo(double[] r, double global) {
    double want = global * total;
    double lo = 0;
    double hi = 1;
    for (double v : r) {
      hi = Math.max(hi, 1 / v);
    }
    for (int k = 0; k < BISECTION_ROUNDS && hi - lo > 1e-15 * hi; k++) {
      double mid = (lo + hi) / 2;
      if (weighted(r, mid) < want) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double s = Math.abs(weighted(r, lo) - want) <= Math.abs(weighted(r, hi) - want) ? lo : hi;
    double[] out = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      out[i] = clamp(s * r[i]);
    }
    return out;
  }

  /** Global density of per-layer densities. */
  public double global(double[] densities) {
    double active = 0;
    for (int i = 0; i < densities.length; i++) {
      active += densities[i] * sizes[i];
    }
    return active / total;
  }

  private double weighted(double[] r, double s) {
    double sum = 0;
    for (int i = 0; i < r.length; i++) {
      sum += sizes[i] * clamp(s * r[i]);
    }
    return sum;
  }

  private double clamp(double d) {
    if (!(d >= minLayerDensity)) {
      return minLayerDensity;
    }
    return Math.min(1.0, d);
  }
}
