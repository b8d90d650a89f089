package io.jitsparse.env.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DensitySchedulesTest {

  private static final double TOLERANCE = 1e-12;

  // prune from dense to 10% between steps 100 and 1100, updating every 100 steps
  private static final double D_I = 1.0;
  private static final double D_F = 0.1;
  private static final long T0 = 100;
  private static final long T1 = 1100;
  private static final long DT = 100;

  private static DensitySchedule schedule(String name) {
    return DensitySchedules.byName(name, D_I, D_F, T0, T1, DT);
  }

  @Test
  void cubicMatchesAgpByHand() {
    DensitySchedule s = schedule("cubic");
    assertInstanceOf(CubicSchedule.class, s);
    assertEquals(1.0, s.density(0), TOLERANCE);
    assertEquals(1.0, s.density(99), TOLERANCE);
    assertEquals(1.0, s.density(100), TOLERANCE); // p = 0: no pruning yet
    // step 350 -> last update 300, p = 0.2: s = 0.9 - 0.9 * 0.8^3 = 0.4392
    assertEquals(1 - 0.4392, s.density(350), TOLERANCE);
    // step 600, p = 0.5: s = 0.9 - 0.9 * 0.125 = 0.7875
    assertEquals(1 - 0.7875, s.density(600), TOLERANCE);
    assertEquals(1 - 0.7875, s.density(699), TOLERANCE);
    // step 1099 -> last update 1000, p = 0.9: s = 0.9 - 0.9 * 0.001 = 0.8991
    assertEquals(1 - 0.8991, s.density(1099), TOLERANCE);
    assertEquals(D_F, s.density(1100), TOLERANCE);
    assertEquals(D_F, s.density(5000), TOLERANCE);
  }

  @Test
  void linearValues() {
    DensitySchedule s = schedule("linear");
    assertEquals(1.0, s.density(T0), TOLERANCE);
    // mid: p = 0.5 -> s = 0.45
    assertEquals(0.55, s.density(600), TOLERANCE);
    // between update points holds the last one: 650 -> 600
    assertEquals(0.55, s.density(650), TOLERANCE);
    assertEquals(1 - 0.9 * 0.7, s.density(899), TOLERANCE);
    assertEquals(D_F, s.density(T1), TOLERANCE);
  }

  @Test
  void cosineValues() {
    DensitySchedule s = schedule("cosine");
    assertEquals(1.0, s.density(T0), TOLERANCE);
    // p = 0.5: s = 0.9 + (0 - 0.9) * (1 + cos(pi/2)) / 2 = 0.45
    assertEquals(0.55, s.density(600), TOLERANCE);
    // p = 0.2 (step 300..399): s = 0.9 - 0.9 * (1 + cos(0.2 pi)) / 2
    double s02 = 0.9 - 0.9 * (1 + Math.cos(0.2 * Math.PI)) / 2;
    assertEquals(1 - s02, s.density(300), TOLERANCE);
    assertEquals(1 - s02, s.density(399), TOLERANCE);
    assertEquals(D_F, s.density(T1), TOLERANCE);
  }

  @Test
  void constantPrunesAtStartStep() {
    DensitySchedule s = schedule("constant");
    assertEquals(1.0, s.density(T0 - 1), TOLERANCE);
    assertEquals(D_F, s.density(T0), TOLERANCE);
    assertEquals(D_F, s.density(600), TOLERANCE);
    assertEquals(D_F, s.density(T1), TOLERANCE);
  }

  @Test
  void stepwiseJumpsInEqualStages() {
    // 4 stages of 0.225 sparsity at 350, 600, 850 (next update points 400, 600, 900) and 1100
    DensitySchedule s = schedule("step");
    assertInstanceOf(StepwiseSchedule.class, s);
    assertEquals(1.0, s.density(T0), TOLERANCE);
    assertEquals(1.0, s.density(399), TOLERANCE);
    assertEquals(1 - 0.225, s.density(400), TOLERANCE);
    assertEquals(1 - 0.45, s.density(600), TOLERANCE);
    assertEquals(1 - 0.45, s.density(899), TOLERANCE);
    assertEquals(1 - 0.675, s.density(900), TOLERANCE);
    assertEquals(1 - 0.675, s.density(1099), TOLERANCE);
    assertEquals(D_F, s.density(T1), TOLERANCE);
    DensitySchedule two = DensitySchedules.byName("step", D_I, D_F, T0, T1, DT, 2);
    assertEquals(1.0, two.density(599), TOLERANCE);
    assertEquals(0.55, two.density(600), TOLERANCE);
  }

  @Test
  void equalStartAndEndIsOneShot() {
    DensitySchedule s = DensitySchedules.byName("cubic", 1.0, 0.2, 50, 50, 10);
    assertEquals(1.0, s.density(49), TOLERANCE);
    assertEquals(0.2, s.density(50), TOLERANCE);
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    assertMessage("1.5", () -> DensitySchedules.byName("cubic", 1.5, 0.1, 0, 10, 1));
    assertMessage("0.0", () -> DensitySchedules.byName("cubic", 1.0, 0.0, 0, 10, 1));
    assertMessage("5", () -> DensitySchedules.byName("cubic", 1.0, 0.1, 10, 5, 1));
    assertMessage("0", () -> DensitySchedules.byName("cubic", 1.0, 0.1, 0, 10, 0));
    assertMessage("-3", () -> DensitySchedules.byName("step", 1.0, 0.1, 0, 10, 1, -3));
    assertMessage("quartic", () -> DensitySchedules.byName("quartic", 1.0, 0.1, 0, 10, 1));
  }

  @Test
  void registryNames() {
    assertEquals(
        List.of("constant", "linear", "cubic", "cosine", "step"), DensitySchedules.names());
    for (String name : DensitySchedules.names()) {
      assertEquals(name, schedule(name).name());
    }
  }

  private static void assertMessage(String fragment, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
