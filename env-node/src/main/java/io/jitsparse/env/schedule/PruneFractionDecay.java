package io.jitsparse.env.schedule;

import java.util.List;
import java.util.Locale;

/**
 * The fraction of each layer's active weights that dynamic sparse training drops and regrows at a
 * mask update, decayed over training (RigL, Evci et al., "Rigging the Lottery", ICML 2020, Section
 * 3: {@code zeta_t = zeta_0 / 2 (1 + cos(pi t / T_end))}). Shapes:
 *
 * <ul>
 *   <li>{@code cosine}: {@code zeta_end + (zeta_0 - zeta_end) (1 + cos(pi t / T)) / 2}, RigL's
 *       curve with a floor {@code zeta_end} ({@code 0} gives RigL's exactly);
 *   <li>{@code linear}: {@code zeta_0 + (zeta_end - zeta_0) t / T};
 *   <li>{@code constant}: {@code zeta_0} throughout (SET, Mocanu et al. 2018).
 * </ul>
 *
 * <p>From {@code T} on the fraction stays at its end value.
 */
public final class PruneFractionDecay {

  /** Default {@code zeta_0}. */
  public static final double DEFAULT_INITIAL_FRACTION = 0.5;

  /** Default {@code zeta_end}. */
  public static final double DEFAULT_FINAL_FRACTION = 0.005;

  /** Command-line name of the cosine decay. */
  public static final String COSINE = "cosine";

  /** Command-line name of the linear decay. */
  public static final String LINEAR = "linear";

  /** Command-line name of the constant fraction. */
  public static final String CONSTANT = "constant";

  private static final List<String> NAMES = List.of(COSINE, LINEAR, CONSTANT);

  /** How the fraction moves from its initial to its final value as progress p goes 0 to 1. */
  private enum Shape {
    COSINE_SHAPE {
      @Override
      double share(double p) {
        return (1 - Math.cos(Math.PI * p)) / 2;
      }
    },
    LINEAR_SHAPE {
      @Override
      double share(double p) {
        return p;
      }
    },
    CONSTANT_SHAPE {
      @Override
      double share(double p) {
        return 0;
      }
    };

    /** Share of the way from the initial to the final fraction, 0 at p = 0 and 1 at p = 1. */
    abstract double share(double p);
  }

  private final String name;
  private final Shape shape;
  private final double initial;
  private final double last;
  private final long endStep;

  private PruneFractionDecay(String name, Shape shape, double initial, double last, long endStep) {
    this.name = name;
    this.shape = shape;
    this.initial = requireFraction("initial fraction", initial);
    this.last = requireFraction("final fraction", last);
    if (endStep < 1) {
      throw new IllegalArgumentException("end step must be >= 1, got " + endStep);
    }
    this.endStep = endStep;
  }

  /** Every accepted name, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /** Cosine decay from {@code initial} at step 0 to {@code last} at {@code endStep}. */
  public static PruneFractionDecay cosine(double initial, double last, long endStep) {
    return new PruneFractionDecay(COSINE, Shape.COSINE_SHAPE, initial, last, endStep);
  }

  /**
   * Cosine decay from {@link #DEFAULT_INITIAL_FRACTION} to {@link #DEFAULT_FINAL_FRACTION} at
   * {@code endStep}.
   */
  public static PruneFractionDecay cosine(long endStep) {
    return cosine(DEFAULT_INITIAL_FRACTION, DEFAULT_FINAL_FRACTION, endStep);
  }

  /** Linear decay from {@code initial} at step 0 to {@code last} at {@code endStep}. */
  public static PruneFractionDecay linear(double initial, double last, long endStep) {
    return new PruneFractionDecay(LINEAR, Shape.LINEAR_SHAPE, initial, last, endStep);
  }

  /** The fixed fraction {@code fraction} at every step. */
  public static PruneFractionDecay constant(double fraction) {
    return new PruneFractionDecay(CONSTANT, Shape.CONSTANT_SHAPE, fraction, fraction, 1);
  }

  /**
   * The decay called {@code name} (case-insensitive); {@code constant} uses {@code initial} only.
   *
   * @throws IllegalArgumentException for an unknown name (listing the valid ones), a fraction
   *     outside [0, 1] or {@code endStep < 1} (naming the value)
   */
  public static PruneFractionDecay byName(String name, double initial, double last, long endStep) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case COSINE -> cosine(initial, last, endStep);
      case LINEAR -> linear(initial, last, endStep);
      case CONSTANT ->
          new PruneFractionDecay(CONSTANT, Shape.CONSTANT_SHAPE, initial, initial, endStep);
      default ->
          throw new IllegalArgumentException(
              "unknown prune-fraction decay '"
                  + name
                  + "'; valid names: "
                  + String.join(", ", NAMES));
    };
  }

  /** The decay's command-line name. */
  public String name() {
    return name;
  }

  /** Fraction of active weights to update at training step {@code step}. */
  public double fraction(long step) {
    if (step >= endStep) {
      return last;
    }
    double p = Math.max(0, step) / (double) endStep;
    return initial + (last - initial) * shape.share(p);
  }

  @Override
  public String toString() {
    return name + "(" + initial + " -> " + last + " by step " + endStep + ")";
  }

  private static double requireFraction(String what, double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1], got " + fraction);
    }
    return fraction;
  }
}
