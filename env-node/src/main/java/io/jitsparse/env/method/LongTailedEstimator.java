package io.jitsparse.env.method;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The unit step with the long-tailed straight-through estimator of Liu et al., "Dynamic Sparse
 * Training: Find Efficient Sparse Network from Scratch with Trainable Masked Layers" (ICLR 2020),
 * Eq. 4: forward {@code step(x)}; backward
 *
 * <pre>
 *   H'(x) = 2 - 4|x|   for |x| <= 0.4
 *           0.4        for 0.4 < |x| <= 1
 *           0          otherwise
 * </pre>
 *
 * Built as {@code step(x) + h(x) - stopGradient(h(x))} with {@code h} an antiderivative of H':
 * {@code h(x) = 2a - 2a|a| + 0.4(b - a)}, {@code a = clip(x, -0.4, 0.4)}, {@code b = clip(x, -1,
 * 1)}; the forward value is exactly the step because {@code h - h = 0}.
 */
public final class LongTailedEstimator {

  /** Half-width of the estimator's triangular core. */
  public static final double CORE = 0.4;

  /** Width of the estimator's tail. */
  public static final double TAIL = 1.0;

  /** Gradient of the estimator on its tail. */
  public static final double TAIL_GRADIENT = 0.4;

  private LongTailedEstimator() {}

  /** The estimator's derivative H'(x), for tests and documentation. */
  public static double derivative(double x) {
    double a = Math.abs(x);
    if (a <= CORE) {
      return 2 - 4 * a;
    }
    return a <= TAIL ? TAIL_GRADIENT : 0;
  }

  /** {@code step(x)} in the forward pass with H' as its gradient. */
  public static SDVariable step(SameDiff sd, SDVariable x) {
    SDVariable hard = sd.math().step(x, 0.0);
    SDVariable a = sd.math().clipByValue(x, -CORE, CORE);
    SDVariable b = sd.math().clipByValue(x, -TAIL, TAIL);
    SDVariable core = a.mul(2).sub(a.mul(sd.math().abs(a)).mul(2));
    SDVariable h = core.add(b.sub(a).mul(TAIL_GRADIENT));
    SDVariable frozen = new StopGradient(sd, h).outputVariable();
    // (h - frozen) is exactly zero, so the forward value is exactly the step.
    return hard.add(h.sub(frozen));
  }
}
