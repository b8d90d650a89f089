package io.jitsparse.env.growth;

import java.util.List;
import java.util.Locale;

/**
 * Looks up grow criteria by command-line name: {@code none}, {@code random} (SET, Mocanu et al.
 * 2018), {@code gradient} (RigL, Evci et al. 2020, Section 3) and {@code momentum} (Dettmers and
 * Zettlemoyer 2019).
 */
public final class GrowCriteria {

  private static final List<String> NAMES =
      List.of(NoGrowth.NAME, RandomGrowth.NAME, GradientGrowth.NAME, MomentumGrowth.NAME);

  private GrowCriteria() {}

  /** Every accepted name, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The criterion called {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
   */
  public static GrowCriterion byName(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case NoGrowth.NAME -> new NoGrowth();
      case RandomGrowth.NAME -> new RandomGrowth();
      case GradientGrowth.NAME -> new GradientGrowth();
      case MomentumGrowth.NAME -> new MomentumGrowth();
      default ->
          throw new IllegalArgumentException(
              "unknown grow criterion '" + name + "'; valid names: " + String.join(", ", NAMES));
    };
  }
}
