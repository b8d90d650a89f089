package io.jitsparse.env.trainer;

import io.jitsparse.env.schedule.CubicSchedule;
import io.jitsparse.env.schedule.DensitySchedule;
import io.jitsparse.env.schedule.LinearSchedule;
import java.util.Arrays;
import java.util.List;

/**
 * Per-layer target densities a trainer follows while the agent is unreachable, so that training
 * never waits for the network: {@code cubic} (Zhu and Gupta's gradual pruning from the episode's
 * start density to the target over the whole episode, evaluated at every step), {@code linear} (the
 * straight line between the same ends) or {@code hold} (keep the current densities; the action wall
 * still walks them to the target in the final phase). The schedule gives every layer the same
 * density, like GMP with the uniform distribution: without a policy there is no better allocation
 * the trainer can justify on its own.
 */
public final class FallbackSchedule {

  /** Accepted names. */
  public static final List<String> NAMES = List.of("cubic", "linear", "hold");

  private final DensitySchedule curve;

  /**
   * @param name cubic, linear or hold
   * @param startDensity global density at step 0
   * @param target global density at {@code totalSteps}
   * @param totalSteps steps of the episode
   */
  public FallbackSchedule(String name, double startDensity, double target, long totalSteps) {
    long end = Math.max(1, totalSteps);
    this.curve =
        switch (name) {
          case "cubic" -> new CubicSchedule(startDensity, target, 0, end, 1);
          case "linear" -> new LinearSchedule(startDensity, target, 0, end, 1);
          case "hold" -> null;
          default ->
              throw new IllegalArgumentException(
                  "unknown fallback schedule '" + name + "'; valid: " + String.join(", ", NAMES));
        };
  }

  /** The per-layer targets at {@code step}, given the densities applied now. */
  public double[] targets(long step, double[] current) {
    if (curve == null) {
      return current.clone();
    }
    double[] out = new double[current.length];
    Arrays.fill(out, curve.density(step));
    return out;
  }
}
