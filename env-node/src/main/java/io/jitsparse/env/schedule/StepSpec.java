package io.jitsparse.env.schedule;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A step parameter of a run (start or end of pruning, update period) given either as a number of
 * steps ({@code 800}) or as a percentage of the run ({@code 2%}, {@code 12.5%}), so that one
 * configuration scales with the run length. Used by the schedules of Zhu and Gupta, "To prune, or
 * not to prune", 2017, Eq. 1 ({@code t0}, {@code n * deltaT}) and Evci et al., "Rigging the
 * Lottery", ICML 2020, Section 3 ({@code deltaT}, {@code T_end}).
 */
public final class StepSpec {

  private static final String PERCENT = "%";
  private static final double WHOLE_RUN_PERCENT = 100.0;

  private final long steps;
  private final double percent;
  private final boolean relative;

  private StepSpec(long steps, double percent, boolean relative) {
    this.steps = steps;
    this.percent = percent;
    this.relative = relative;
  }

  /** An absolute number of steps, {@code >= 0}. */
  public static StepSpec ofSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("step count must be >= 0, got " + steps);
    }
    return new StepSpec(steps, 0, false);
  }

  /** A percentage of the run, in [0, 100]. */
  public static StepSpec ofPercent(double percent) {
    if (!(percent >= 0 && percent <= WHOLE_RUN_PERCENT)) {
      throw new IllegalArgumentException("percentage must be in [0, 100], got " + percent + "%");
    }
    return new StepSpec(0, percent, true);
  }

  /**
   * Parses {@code 800} (steps) or {@code 2%} / {@code 12.5%} (share of the run).
   *
   * @throws IllegalArgumentException naming the text when it is neither
   */
  public static StepSpec parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("step value is missing");
    }
    String t = text.trim();
    try {
      if (t.endsWith(PERCENT)) {
        double p = Double.parseDouble(t.substring(0, t.length() - PERCENT.length()).trim());
        if (!(p >= 0 && p <= WHOLE_RUN_PERCENT)) {
          throw new IllegalArgumentException(
              "bad step value '" + text + "': a percentage must be in [0%, 100%]");
        }
        return ofPercent(p);
      }
      long s = Long.parseLong(t);
      if (s < 0) {
        throw new IllegalArgumentException(
            "bad step value '" + text + "': a step count must be >= 0");
      }
      return ofSteps(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad step value '" + text + "': expected a step count like 800 or a percentage like 2%",
          e);
    }
  }

  /** Whether this is a percentage of the run. */
  public boolean isPercent() {
    return relative;
  }

  /**
   * The step count for a run of {@code totalSteps} steps; a percentage is rounded to the nearest
   * step.
   */
  public long resolve(long totalSteps) {
    if (totalSteps < 0) {
      throw new IllegalArgumentException("total steps must be >= 0, got " + totalSteps);
    }
    return relative ? Math.round(percent * totalSteps / WHOLE_RUN_PERCENT) : steps;
  }

  /** {@link #resolve} for a period such as an update interval: at least 1. */
  public long resolvePeriod(long totalSteps) {
    return Math.max(1, resolve(totalSteps));
  }

  /** {@code 800} or {@code 12.5%}; {@link #parse} reads it back to an equal value. */
  @Override
  public String toString() {
    if (!relative) {
      return Long.toString(steps);
    }
    return BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString() + PERCENT;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StepSpec s
        && s.relative == relative
        && s.steps == steps
        && Double.compare(s.percent, percent) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(relative, steps, percent);
  }
}
