package io.jitsparse.env.trainer;

import io.jitsparse.env.flops.TrainingFlops;
import io.jitsparse.env.sparse.DensityMover;

/**
 * Stands between the agent's requested per-layer log-offsets and the network, for one episode: the
 * resource-constrained action wall of AMC (He et al. 2018), here on a reference schedule. A layer's
 * density at step {@code s} is {@code D_i(s) = clamp(ref_i(s) * exp(o_i))}, the {@link
 * ReferenceSchedule}'s density scaled by the offset the last decision applied, so the zero offset
 * is the handcrafted schedule (cubic GMP with ERK) and an unseen network degrades to it. The wall
 *
 * <ol>
 *   <li>clamps every layer to {@code [minLayerDensity, 1]} (a layer with no weights disconnects the
 *       network);
 *   <li>from the reference's end step on (where the reference is at the target) scales the
 *       densities by one common factor so the global density is exactly the target, and holds the
 *       offsets: no decision cuts a layer in the last part of the run, which is left to recover;
 *   <li>at the decision whose interval reaches the end step, shrinks the offsets toward zero
 *       ({@code o -> lambda o}, the largest {@code lambda} in [0, 1] that fits) until the final
 *       network's inference FLOPs are at most the reference's;
 *   <li>with the budget on, lowers every offset by one common shift (the policy's relative
 *       allocation is kept) until the projected training FLOPs at the next decision (a
 *       dense-gradient pass if a layer grows, this decision's validation pass, and the interval's
 *       steps at the planned densities) are at most the reference's cumulative FLOPs at that step.
 * </ol>
 *
 * After the end step the wall applies nothing new, so the validation passes of those decisions
 * (about 0.6% of an interval's FLOPs each at 500 images) are the only spending it does not budget.
 * Not thread-safe: one per episode.
 */
final class BudgetWall {

  private static final int BISECTION_ROUNDS = 60;

  private final ReferenceSchedule reference;
  private final TrainingFlops flops;
  private final long[] sizes;
  private final long total;
  private final double target;
  private final double minLayerDensity;
  private final int batch;
  private final int validationSamples;
  private final boolean budgeted;
  private double[] applied;

  /**
   * @param reference the reference schedule of the episode
   * @param flops the network's FLOPs accounting (per-layer forward FLOPs)
   * @param sizes weights per prunable layer
   * @param target the global density the episode ends at
   * @param minLayerDensity lowest density of any layer, in (0, target]
   * @param batch samples per training step
   * @param validationSamples samples of the validation pass at every decision
   * @param budgeted whether training FLOPs are held to the reference's
   */
  BudgetWall(
      ReferenceSchedule reference,
      TrainingFlops flops,
      long[] sizes,
      double target,
      double minLayerDensity,
      int batch,
      int validationSamples,
      boolean budgeted) {
    if (!(minLayerDensity > 0 && minLayerDensity <= target && target <= 1)) {
      throw new IllegalArgumentException(
          "need 0 < min layer density " + minLayerDensity + " <= target " + target + " <= 1");
    }
    this.reference = reference;
    this.flops = flops;
    this.sizes = sizes.clone();
    long n = 0;
    for (long s : sizes) {
      n += s;
    }
    this.total = n;
    this.target = target;
    this.minLayerDensity = minLayerDensity;
    this.batch = batch;
    this.validationSamples = validationSamples;
    this.budgeted = budgeted;
    this.applied = new double[sizes.length];
  }

  /** The offsets in effect (a copy). */
  double[] offsets() {
    return applied.clone();
  }

  /**
   * Decides the offsets of the interval from decision step {@code step} to {@code nextStep} and
   * returns the densities to move to now.
   *
   * @param requested the offsets asked for (null: keep the ones in effect, still fitted to the
   *     budget)
   * @param step the decision's step
   * @param nextStep the next decision's step
   * @param spent training FLOPs spent so far (this decision's validation pass is yet to come)
   * @param current the per-layer densities now
   */
  double[] decide(double[] requested, long step, long nextStep, double spent, double[] current) {
    if (requested != null && requested.length != sizes.length) {
      // a malformed action never reaches here (MessageChecks), so this is a programming error
      throw new IllegalArgumentException(
          requested.length + " offsets for " + sizes.length + " layers");
    }
    if (step < reference.endStep()) {
      double[] o = requested != null ? requested.clone() : applied.clone();
      if (nextStep >= reference.endStep()) {
        o = withinInferenceBudget(o);
      }
      if (budgeted && !fits(o, step, nextStep, spent, current)) {
        o = shiftedIntoBudget(o, step, nextStep, spent, current);
      }
      applied = o;
    }
    return densitiesAt(step, reference.densities(step), applied);
  }

  /** {@code D(s)} for the reference densities at {@code s} and the offsets in effect. */
  double[] densitiesAt(long step, double[] referenceDensities) {
    return densitiesAt(step, referenceDensities, applied);
  }

  /** Applied log-offset per layer: {@code ln(density / reference density)} at {@code step}. */
  double[] appliedOffsets(long step, double[] densities) {
    double[] ref = reference.densities(step);
    double[] out = new double[densities.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.log(Math.max(densities[i], 1e-12) / Math.max(ref[i], 1e-12));
    }
    return out;
  }

  /** Global density of per-layer densities. */
  double global(double[] densities) {
    double active = 0;
    for (int i = 0; i < densities.length; i++) {
      active += densities[i] * sizes[i];
    }
    return active / total;
  }

  private double[] densitiesAt(long step, double[] ref, double[] offsets) {
    double[] d = new double[ref.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = clamp(ref[i] * Math.exp(offsets[i]));
    }
    return step >= reference.endStep() ? scaleTo(d, target) : d;
  }

  private double[] withinInferenceBudget(double[] o) {
    double limit = reference.finalInferenceFlops() * (1 + 1e-9);
    if (inferenceFlops(o) <= limit) {
      return o;
    }
    double lo = 0;
    double hi = 1;
    for (int k = 0; k < BISECTION_ROUNDS; k++) {
      double mid = (lo + hi) / 2;
      if (inferenceFlops(scaled(o, mid)) <= limit) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return scaled(o, lo);
  }

  private double inferenceFlops(double[] o) {
    long end = reference.totalSteps();
    return flops.sparseForwardPerSample(densitiesAt(end, reference.densities(end), o));
  }

  private double[] shiftedIntoBudget(
      double[] o, long step, long nextStep, double spent, double[] current) {
    double lo = Math.log(minLayerDensity);
    double hi = 0;
    if (!fits(shifted(o, lo), step, nextStep, spent, current)) {
      return shifted(o, lo);
    }
    for (int k = 0; k < BISECTION_ROUNDS; k++) {
      double mid = (lo + hi) / 2;
      if (fits(shifted(o, mid), step, nextStep, spent, current)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return shifted(o, lo);
  }

  /** Whether offsets {@code o} keep the spending at {@code nextStep} within the reference's. */
  boolean fits(double[] o, long step, long nextStep, double spent, double[] current) {
    return spent + projectedCost(o, step, nextStep, current)
        <= reference.cumulativeFlops(nextStep) * (1 + 1e-12);
  }

  /**
   * FLOPs of the interval from {@code step} to {@code nextStep} under offsets {@code o}: a
   * dense-gradient pass if a layer grows, this decision's validation pass, and the steps.
   */
  double projectedCost(double[] o, long step, long nextStep, double[] current) {
    double[] d = densitiesAt(step, reference.densities(step), o);
    double cost = validationSamples * flops.sparseForwardPerSample(d);
    for (int i = 0; i < d.length; i++) {
      if (DensityMover.targetCount(d[i], sizes[i])
          > DensityMover.targetCount(current[i], sizes[i])) {
        cost += flops.stepFlops(batch, d, true);
        break;
      }
    }
    for (long s = step + 1; s <= nextStep; s++) {
      cost += flops.stepFlops(batch, d, false);
      if (reference.updatesAt(s)) {
        double[] next = densitiesAt(s, reference.densities(s), o);
        for (int i = 0; i < d.length; i++) {
          d[i] = Math.min(d[i], next[i]);
        }
      }
    }
    return cost;
  }

  /**
   * Scales {@code r} (within bounds) by one factor so that the clamped global density is {@code
   * global}; the closest achievable when {@code global} is outside [min, 1].
   */
  double[] scaleTo(double[] r, double global) {
    double want = global * total;
    double lo = 0;
    double hi = 1;
    for (double v : r) {
      hi = Math.max(hi, 1 / v);
    }
    for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
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

  private double weighted(double[] r, double s) {
    double sum = 0;
    for (int i = 0; i < r.length; i++) {
      sum += sizes[i] * clamp(s * r[i]);
    }
    return sum;
  }

  private static double[] scaled(double[] o, double lambda) {
    double[] out = new double[o.length];
    for (int i = 0; i < o.length; i++) {
      out[i] = lambda * o[i];
    }
    return out;
  }

  private static double[] shifted(double[] o, double c) {
    double[] out = new double[o.length];
    for (int i = 0; i < o.length; i++) {
      out[i] = o[i] + c;
    }
    return out;
  }

  private double clamp(double d) {
    if (!(d >= minLayerDensity)) {
      return minLayerDensity;
    }
    return Math.min(1.0, d);
  }
}
