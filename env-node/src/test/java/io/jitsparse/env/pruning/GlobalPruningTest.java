package io.jitsparse.env.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jitsparse.env.sparse.LayerView;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GlobalPruningTest {

  private static final long SEED = 3;

  private static LayerView layer(int index, float[] w, float[] mask) {
    return new LayerView("l" + index, index, w, new float[w.length], mask, null);
  }

  private final LayerView first =
      layer(0, new float[] {0.9f, -0.01f, 0.2f, 0.0f}, new float[] {1, 1, 1, 0});
  private final LayerView second =
      layer(1, new float[] {0.05f, -0.3f, 0.02f, -0.04f, 0.7f}, new float[] {1, 1, 1, 1, 1});

  @Test
  void magnitudeRanksAcrossLayers() {
    // |w| over both layers: .01 (0:1), .02 (1:2), .04 (1:3), .05 (1:0), .2 (0:2) ...
    int[][] picked =
        GlobalPruning.select(
            new MagnitudePruner(), List.of(first, second), 4, new SplittableRandom(SEED));
    assertArrayEquals(new int[] {1}, picked[0]);
    assertArrayEquals(new int[] {0, 2, 3}, picked[1]);
  }

  @Test
  void setSplitsSignsAcrossLayers() {
    // five non-negative (.9 .2 .05 .02 .7), three negative (-.01 -.3 -.04) active;
    // 4 * 5/8 = 2.5 -> 3 non-negative (.02 .05 .2), 1 negative (-.01)
    int[][] picked =
        GlobalPruning.select(
            new SetPruner(), List.of(first, second), 4, new SplittableRandom(SEED));
    assertArrayEquals(new int[] {1, 2}, picked[0]);
    assertArrayEquals(new int[] {0, 2}, picked[1]);
  }

  @Test
  void countIsCappedAndNegativeRejected() {
    int[][] picked =
        GlobalPruning.select(
            new MagnitudePruner(), List.of(first, second), 100, new SplittableRandom(SEED));
    assertEquals(3, picked[0].length);
    assertEquals(5, picked[1].length);
    assertThrows(
        IllegalArgumentException.class,
        () -> GlobalPruning.select(new MagnitudePruner(), List.of(first), -1, null));
  }

  @Test
  void randomIsSeedDeterministic() {
    RandomPruner random = new RandomPruner();
    int[][] a = GlobalPruning.select(random, List.of(first, second), 4, new SplittableRandom(1));
    int[][] b = GlobalPruning.select(random, List.of(first, second), 4, new SplittableRandom(1));
    assertArrayEquals(a[0], b[0]);
    assertArrayEquals(a[1], b[1]);
    assertEquals(4, a[0].length + a[1].length);
    for (int i : a[0]) {
      assertEquals(1f, first.mask()[i]);
    }
  }
}
