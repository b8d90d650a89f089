package io.jitsparse.env.pruning;

import java.util.List;
import java.util.Locale;

/**
 * Looks up the prune criteria of Nowak et al., "Fantastic Weights and How to Find Them", NeurIPS
 * 2023, Section 3, by their command-line names. {@code taylor} (Taylor-FO, {@code (w * g)^2}) ranks
 * exactly as SNIP's {@code |w * g|}, so it is an alias that returns a {@link SnipPruner}.
 */
public final class PruneCriteria {

  /** Command-line alias for {@link SnipPruner}. */
  public static final String TAYLOR_ALIAS = "taylor";

  private static final List<String> NAMES =
      List.of(
          MagnitudePruner.NAME,
          SetPruner.NAME,
          MestPruner.NAME,
          SnipPruner.NAME,
          TAYLOR_ALIAS,
          SensitivityPruner.NAME,
          ReciprocalSensitivityPruner.NAME,
          RandomPruner.NAME);

  private PruneCriteria() {}

  /** Every accepted name, aliases included, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /** The criterion called {@code name}, with default parameters. */
  public static PruneCriterion byName(String name) {
    return byName(name, MestPruner.DEFAULT_GAMMA, SensitivityPruner.DEFAULT_EPSILON);
  }

  /**
   * The criterion called {@code name} (case-insensitive).
   *
   * @param mestGamma MEST's gradient weight (used only by {@code mest})
   * @param epsilon the division guard of {@code sensitivity} and {@code reciprocal-sensitivity}
   * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
   */
  public static PruneCriterion byName(String name, double mestGamma, double epsilon) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case MagnitudePruner.NAME -> new MagnitudePruner();
      case SetPruner.NAME -> new SetPruner();
      case MestPruner.NAME -> new MestPruner(mestGamma);
      case SnipPruner.NAME, TAYLOR_ALIAS -> new SnipPruner();
      case SensitivityPruner.NAME -> new SensitivityPruner(epsilon);
      case ReciprocalSensitivityPruner.NAME -> new ReciprocalSensitivityPruner(epsilon);
      case RandomPruner.NAME -> new RandomPruner();
      default ->
          throw new IllegalArgumentException(
              "unknown prune criterion '" + name + "'; valid names: " + String.join(", ", NAMES));
    };
  }
}
