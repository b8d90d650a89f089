package io.jitsparse.env.density;

import java.util.List;
import java.util.Locale;

/**
 * Looks up density distributions by command-line name: {@code uniform}, {@code er} and {@code erk}
 * (Evci et al., "Rigging the Lottery", ICML 2020, Section 3; their code's {@code
 * sparse_utils.get_sparsities}).
 */
public final class DensityDistributions {

  private static final List<String> NAMES =
      List.of(UniformDensity.NAME, ErDensity.NAME, ErkDensity.NAME);

  private DensityDistributions() {}

  /** Every accepted name, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /** The distribution called {@code name} with {@link ErkDensity#DEFAULT_POWER_SCALE}. */
  public static DensityDistribution byName(String name) {
    return byName(name, ErkDensity.DEFAULT_POWER_SCALE);
  }

  /**
   * The distribution called {@code name} (case-insensitive).
   *
   * @param powerScale exponent on the ER/ERK raw density (ignored by {@code uniform})
   * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
   */
  public static DensityDistribution byName(String name, double powerScale) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case UniformDensity.NAME -> new UniformDensity();
      case ErDensity.NAME -> new ErDensity(powerScale);
      case ErkDensity.NAME -> new ErkDensity(powerScale);
      default ->
          throw new IllegalArgumentException(
              "unknown density distribution '"
                  + name
                  + "'; valid names: "
                  + String.join(", ", NAMES));
    };
  }

  /** Rejects a global density outside (0, 1], naming the value. */
  static double requireGlobalDensity(double globalDensity) {
    if (!(globalDensity > 0 && globalDensity <= 1)) {
      throw new IllegalArgumentException("global density must be in (0, 1], got " + globalDensity);
    }
    return globalDensity;
  }
}
