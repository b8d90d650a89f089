package io.jitsparse.env.schedule;

import java.util.List;
import java.util.Locale;

/**
 * Looks up density schedules by command-line name: {@code constant}, {@code linear}, {@code cubic}
 * (Zhu and Gupta 2017, Eq. 1), {@code cosine} and {@code step}.
 */
public final class DensitySchedules {

  private static final List<String> NAMES =
      List.of(
          ConstantSchedule.NAME,
          LinearSchedule.NAME,
          CubicSchedule.NAME,
          CosineSchedule.NAME,
          StepwiseSchedule.NAME);

  private DensitySchedules() {}

  /** Every accepted name, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The schedule called {@code name} (case-insensitive); {@code step} gets {@link
   * StepwiseSchedule#DEFAULT_STAGES} stages.
   *
   * @throws IllegalArgumentException for an unknown name (listing the valid ones) or an argument
   *     out of range (naming it)
   */
  public static DensitySchedule byName(
      String name,
      double initialDensity,
      double finalDensity,
      long startStep,
      long endStep,
      long deltaT) {
    return byName(
        name,
        initialDensity,
        finalDensity,
        startStep,
        endStep,
        deltaT,
        StepwiseSchedule.DEFAULT_STAGES);
  }

  /**
   * As {@link #byName(String, double, double, long, long, long)}, with the number of stages of
   * {@code step} (ignored by the other schedules).
   */
  public static DensitySchedule byName(
      String name,
      double initialDensity,
      double finalDensity,
      long startStep,
      long endStep,
      long deltaT,
      int stages) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case ConstantSchedule.NAME ->
          new ConstantSchedule(initialDensity, finalDensity, startStep, endStep, deltaT);
      case LinearSchedule.NAME ->
          new LinearSchedule(initialDensity, finalDensity, startStep, endStep, deltaT);
      case CubicSchedule.NAME ->
          new CubicSchedule(initialDensity, finalDensity, startStep, endStep, deltaT);
      case CosineSchedule.NAME ->
          new CosineSchedule(initialDensity, finalDensity, startStep, endStep, deltaT);
      case StepwiseSchedule.NAME ->
          new StepwiseSchedule(initialDensity, finalDensity, startStep, endStep, deltaT, stages);
      default ->
          throw new IllegalArgumentException(
              "unknown density schedule '" + name + "'; valid names: " + String.join(", ", NAMES));
    };
  }
}
