package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FallbackScheduleTest {

  private static final double[] NOW = {0.7, 0.4};

  @Test
  void cubicGoesFromStartToTargetFrontLoaded() {
    FallbackSchedule cubic = new FallbackSchedule("cubic", 1.0, 0.1, 100);
    assertArrayEquals(new double[] {1.0, 1.0}, cubic.targets(0, NOW), 1e-12);
    assertArrayEquals(new double[] {0.1, 0.1}, cubic.targets(100, NOW), 1e-12);
    // Zhu and Gupta: sparsity 0.9 * (1 - (1 - p)^3), at p = 0.5 density 0.2125.
    assertEquals(0.2125, cubic.targets(50, NOW)[0], 1e-12);
    double linearMid = new FallbackSchedule("linear", 1.0, 0.1, 100).targets(50, NOW)[0];
    assertEquals(0.55, linearMid, 1e-12);
    assertTrue(cubic.targets(50, NOW)[0] < linearMid);
  }

  @Test
  void holdKeepsTheCurrentDensities() {
    assertArrayEquals(NOW, new FallbackSchedule("hold", 1.0, 0.1, 100).targets(30, NOW));
  }

  @Test
  void unknownNamesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new FallbackSchedule("agp", 1, 0.1, 10));
  }
}
