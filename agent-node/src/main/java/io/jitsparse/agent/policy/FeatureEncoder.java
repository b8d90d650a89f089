package io.jitsparse.agent.policy;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.Observation;

/**
 * Turns an {@link Observation} into the Q-network's input: {@link #GLOBAL} global features followed
 * by {@link #LAYER} features for each layer, every one scaled to roughly [-1, 1] and free of
 * absolute sizes, so one policy reads networks of any width and depth (Just-in-Time Sparsity,
 * Tessera et al. 2022, feed per-layer statistics; the normalisation here is ours).
 *
 * <p>Each layer's row of the Q-network is the global features followed by that layer's features
 * ({@link #row}). Global: training progress, smoothed loss over the loss of chance (ln 10),
 * validation accuracy, log10 of the learning rate shifted to [0, 1] over [1e-4, 1], global density,
 * target density, the remaining way to the target in log space, {@code ln(g / t) / ln(1 / t)} (1
 * when dense, 0 at the target), and the budget's slack (the reference's FLOPs so far minus the
 * episode's, over the reference's whole-episode FLOPs, x10). Per layer: is-conv, relative depth,
 * log10 of its parameters over 7, its share of the network's parameters, its density, its own
 * log-distance to the target, its mean weight magnitude relative to the mean over layers (log), the
 * coefficient of variation of its weights, its gradient norm relative to the mean over layers
 * (log), its mask churn, its share of the network's dense forward FLOPs, the reference schedule's
 * density at the next decision as a log-distance to the target, and the log-offset from the
 * reference applied now (over ln 2).
 */
public final class FeatureEncoder {

  /** Global features per observation. */
  public static final int GLOBAL = 8;

  /** Features per layer. */
  public static final int LAYER = 13;

  /** Width of one Q-network row: global then layer features. */
  public static final int ROW = GLOBAL + LAYER;

  /** Version of this encoding, stored with policies: a policy only reads its own encoding. */
  public static final int VERSION = 2;

  private static final double CHANCE_LOSS = Math.log(10);
  private static final double LOG_CLIP = 3;
  private static final double TINY = 1e-12;
  private static final double LN2 = Math.log(2);

  /** Budget slack is a few percent of an episode's FLOPs at most: x10 spreads it over [-1, 1]. */
  private static final double SLACK_SCALE = 10;

  private FeatureEncoder() {}

  /** The flattened state: {@code GLOBAL + LAYER * layers} floats. */
  public static float[] encode(Observation o) {
    int layers = o.getLayersCount();
    float[] out = new float[GLOBAL + LAYER * layers];
    double target = clamp(o.getTargetDensity(), TINY, 1);
    double global = clamp(o.getGlobalDensity(), TINY, 1);
    out[0] =
        (float) clamp(o.getTotalSteps() > 0 ? (double) o.getStep() / o.getTotalSteps() : 0, 0, 1);
    out[1] = (float) clamp(o.getSmoothedLoss() / CHANCE_LOSS, 0, 2);
    out[2] = (float) clamp(o.getValidationAccuracy(), 0, 1);
    out[3] = (float) clamp((Math.log10(Math.max(o.getLearningRate(), TINY)) + 4) / 4, 0, 1);
    out[4] = (float) global;
    out[5] = (float) target;
    out[6] = (float) logDistance(global, target);
    out[7] = (float) clamp(o.getBudgetSlack() * SLACK_SCALE, -1, 1);
    // Summed as a double: huge counts overflowed a long and turned the shares negative.
    double totalParams = 0;
    double meanMagnitude = 0;
    double meanGradient = 0;
    for (LayerFeatures l : o.getLayersList()) {
      totalParams += l.getParameterCount();
      meanMagnitude += l.getWeightMagnitudeMean();
      meanGradient += l.getGradientNorm();
    }
    meanMagnitude /= Math.max(1, layers);
    meanGradient /= Math.max(1, layers);
    for (int i = 0; i < layers; i++) {
      LayerFeatures l = o.getLayers(i);
      int at = GLOBAL + LAYER * i;
      double density = clamp(l.getDensity(), 0, 1);
      out[at] = l.getKind() == LayerKind.LAYER_KIND_CONV ? 1f : 0f;
      out[at + 1] = (float) clamp(l.getRelativeDepth(), 0, 1);
      out[at + 2] = (float) clamp(Math.log10(Math.max(1, l.getParameterCount())) / 7, 0, 1);
      out[at + 3] = (float) clamp(totalParams > 0 ? l.getParameterCount() / totalParams : 0, 0, 1);
      out[at + 4] = (float) density;
      out[at + 5] = (float) logDistance(Math.max(density, TINY), target);
      out[at + 6] = (float) relativeLog(l.getWeightMagnitudeMean(), meanMagnitude);
      out[at + 7] =
          (float)
              clamp(
                  l.getWeightMagnitudeMean() > TINY
                      ? l.getWeightMagnitudeStd() / l.getWeightMagnitudeMean() / LOG_CLIP
                      : 0,
                  0,
                  1);
      out[at + 8] = (float) relativeLog(l.getGradientNorm(), meanGradient);
      out[at + 9] = (float) clamp(l.getMaskChurn(), 0, 1);
      out[at + 10] = (float) clamp(l.getFlopsShare(), 0, 1);
      out[at + 11] = (float) logDistance(Math.max(l.getReferenceDensity(), TINY), target);
      out[at + 12] = (float) clamp(l.getLogOffset() / LN2, -1, 1);
    }
    return out;
  }

  /** Layers in a flattened state. */
  public static int layers(float[] state) {
    int rest = state.length - GLOBAL;
    if (rest < 0 || rest % LAYER != 0) {
      throw new IllegalArgumentException("a state of " + state.length + " floats is malformed");
    }
    return rest / LAYER;
  }

  /** Writes layer {@code layer}'s Q-network row of {@code state} into {@code out} at {@code at}. */
  public static void row(float[] state, int layer, float[] out, int at) {
    System.arraycopy(state, 0, out, at, GLOBAL);
    System.arraycopy(state, GLOBAL + LAYER * layer, out, at + GLOBAL, LAYER);
  }

  /** {@code ln(d / t) / ln(1 / t)}: 1 when dense, 0 at the target, negative below it. */
  static double logDistance(double density, double target) {
    if (target >= 1) {
      return 0;
    }
    return clamp(Math.log(density / target) / Math.log(1 / target), -1, 1);
  }

  private static double relativeLog(double value, double mean) {
    if (!(value > TINY) || !(mean > TINY)) {
      return 0;
    }
    return clamp(Math.log(value / mean), -LOG_CLIP, LOG_CLIP) / LOG_CLIP;
  }

  private static double clamp(double v, double lo, double hi) {
    if (Double.isNaN(v)) {
      return lo;
    }
    return Math.max(lo, Math.min(hi, v));
  }
}
