package io.jitsparse.env.growth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.sparse.LayerView;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GrowCriteriaTest {

  private static final long SEED = 11;

  // inactive: 1, 3, 4, 6. Active index 0 has the largest |g| and |momentum| of all.
  private static final float[] MASK = {1, 0, 1, 0, 0, 1, 0};
  private static final float[] W = {0.3f, 0f, -0.2f, 0f, 0f, 0.1f, 0f};
  private static final float[] G = {-9f, 0.1f, 5f, -0.7f, 0.4f, 3f, 0.2f};
  private static final float[] MOMENTUM = {8f, -0.6f, 4f, 0.05f, 0.3f, 2f, 0.1f};

  private static LayerView layer() {
    return new LayerView("test/W", 0, W, G, MASK, MOMENTUM);
  }

  private static int[] grow(GrowCriterion c, int count) {
    return c.selectToGrow(layer(), count, new SplittableRandom(SEED));
  }

  private static void assertAllInactive(int[] picked) {
    for (int i : picked) {
      assertEquals(0f, MASK[i], "grew active index " + i);
    }
    assertEquals(picked.length, Arrays.stream(picked).distinct().count(), "duplicates");
  }

  @Test
  void gradientPicksLargestAbsoluteGradientAmongInactive() {
    // inactive |g|: 3 -> .7, 4 -> .4, 6 -> .2, 1 -> .1
    assertArrayEquals(new int[] {3, 4}, grow(new GradientGrowth(), 2));
    assertFalse(new GradientGrowth().needsGradientMomentum());
  }

  @Test
  void momentumPicksLargestAbsoluteMomentumAmongInactive() {
    // inactive |momentum|: 1 -> .6, 4 -> .3, 6 -> .1, 3 -> .05
    assertArrayEquals(new int[] {1, 4}, grow(new MomentumGrowth(), 2));
    assertTrue(new MomentumGrowth().needsGradientMomentum());
  }

  @Test
  void momentumWithoutMomentumFailsClearly() {
    LayerView noMomentum = new LayerView("x/W", 0, W, G, MASK, null);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new MomentumGrowth().selectToGrow(noMomentum, 1, new SplittableRandom(SEED)));
    assertTrue(e.getMessage().contains("x/W"));
  }

  @Test
  void noneGrowsNothing() {
    assertEquals(0, grow(new NoGrowth(), 3).length);
  }

  @Test
  void randomPicksOnlyInactiveAndIsSeedDeterministic() {
    int[] a = grow(new RandomGrowth(), 3);
    assertEquals(3, a.length);
    assertAllInactive(a);
    assertArrayEquals(a, grow(new RandomGrowth(), 3));
    int n = 10_000;
    float[] mask = new float[n];
    for (int i = 0; i < n; i += 3) {
      mask[i] = 1f;
    }
    LayerView big = new LayerView("big", 0, new float[n], new float[n], mask, null);
    int[] b = new RandomGrowth().selectToGrow(big, 500, new SplittableRandom(SEED));
    int[] c = new RandomGrowth().selectToGrow(big, 500, new SplittableRandom(SEED + 1));
    assertFalse(Arrays.equals(b, c), "different seeds gave the same draw");
    for (int i : b) {
      assertEquals(0f, mask[i]);
    }
  }

  @Test
  void countsAreCappedByInactive() {
    for (GrowCriterion c :
        new GrowCriterion[] {new RandomGrowth(), new GradientGrowth(), new MomentumGrowth()}) {
      int[] picked = grow(c, 100);
      assertEquals(4, picked.length, c.name());
      assertAllInactive(picked);
    }
  }

  @Test
  void registryResolvesNames() {
    assertEquals(java.util.List.of("none", "random", "gradient", "momentum"), GrowCriteria.names());
    for (String name : GrowCriteria.names()) {
      assertEquals(name, GrowCriteria.byName(name).name());
    }
    assertInstanceOf(GradientGrowth.class, GrowCriteria.byName("gradient"));
    assertInstanceOf(MomentumGrowth.class, GrowCriteria.byName("momentum"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GrowCriteria.byName("rigl"));
    assertTrue(e.getMessage().contains("rigl"));
    for (String name : GrowCriteria.names()) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }
}
