package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ActionWallTest {

  private static final long[] SIZES = {100, 1000, 10};

  @Test
  void clampsEveryLayerBeforeTheFinalPhase() {
    ActionWall wall = new ActionWall(SIZES, 100, 0.1, 0.25, 0.01);
    assertArrayEquals(
        new double[] {0.01, 0.5, 1.0}, wall.apply(new double[] {0, 0.5, 2}, 10, 0.9), 1e-12);
    assertArrayEquals(
        new double[] {0.01, 0.3, 1.0},
        wall.apply(new double[] {Double.NaN, 0.3, 1}, 74, 0.9),
        1e-12);
  }

  @Test
  void finalPhaseFollowsTheStraightPathKeepsTheAllocationAndEndsExactlyAtTheTarget() {
    ActionWall wall = new ActionWall(SIZES, 100, 0.1, 0.25, 0.01);
    double[] request = {0.5, 0.3, 0.8};
    // First decision of the final phase: the path starts at the density the network has now.
    double[] start = wall.apply(request, 75, 0.4);
    assertEquals(0.4, wall.global(start), 1e-9);
    double[] mid = wall.apply(request, 90, 0.3);
    assertEquals(0.4 + (0.1 - 0.4) * 15.0 / 25.0, wall.global(mid), 1e-9);
    // One common factor: ratios between layers are the policy's.
    assertEquals(0.5 / 0.3, mid[0] / mid[1], 1e-9);
    assertEquals(0.8 / 0.3, mid[2] / mid[1], 1e-9);
    double[] end = wall.apply(request, 100, 0.2);
    assertEquals(0.1, wall.global(end), 1e-12);
    assertEquals(0.5 / 0.3, end[0] / end[1], 1e-9);
  }

  @Test
  void aFirstDecisionInsideTheFinalPhaseAlreadyMovesItsShare() {
    // 60 steps, final phase from step 45; decisions every 10 steps fall at 50 and 60.
    ActionWall wall = new ActionWall(SIZES, 60, 0.1, 0.25, 0.01);
    double[] first = wall.apply(new double[] {1, 1, 1}, 50, 1.0);
    assertEquals(1.0 + (0.1 - 1.0) * 5.0 / 15.0, wall.global(first), 1e-9);
    assertEquals(0.1, wall.global(wall.apply(new double[] {1, 1, 1}, 60, 0.7)), 1e-12);
  }

  @Test
  void saturatedLayersStillReachTheTarget() {
    ActionWall wall = new ActionWall(SIZES, 100, 0.1, 0.25, 0.05);
    // The small layer asks for everything and the big one for almost nothing.
    double[] end = wall.apply(new double[] {0.2, 0.001, 1.0}, 100, 0.5);
    assertEquals(0.1, wall.global(end), 1e-12);
    for (double d : end) {
      assertEquals(true, d >= 0.05 && d <= 1.0, "density " + d + " outside the bounds");
    }
  }

  @Test
  void withoutFinalPhaseOnlyTheLastDecisionIsForced() {
    ActionWall wall = new ActionWall(SIZES, 100, 0.1, 0.0, 0.01);
    assertArrayEquals(
        new double[] {0.9, 0.9, 0.9}, wall.apply(new double[] {0.9, 0.9, 0.9}, 95, 0.9), 1e-12);
    assertEquals(0.1, wall.global(wall.apply(new double[] {0.9, 0.9, 0.9}, 100, 0.9)), 1e-12);
  }
}
