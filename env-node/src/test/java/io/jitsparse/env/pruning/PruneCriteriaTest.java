package io.jitsparse.env.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.sparse.LayerView;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PruneCriteriaTest {

  private static final long SEED = 42;
  private static final int PRUNE_COUNT = 3;

  /**
   * Eight weights; index 5 is pruned (w = 0), so a criterion that ignored the mask would pick it
   * first under magnitude. Active: 0, 1, 2, 3, 4, 6, 7 (four non-negative, three negative).
   */
  private static final float[] W = {0.50f, -0.10f, 0.05f, -0.80f, 0.30f, 0.00f, -0.02f, 0.90f};

  private static final float[] G = {0.01f, 0.50f, 0.20f, 0.00f, -2.00f, 0.90f, -0.05f, 0.03f};
  private static final float[] MASK = {1, 1, 1, 1, 1, 0, 1, 1};

  private static LayerView layer(float[] w, float[] g, float[] mask) {
    return new LayerView("test/W", 0, w, g, mask, null);
  }

  private static Set<Integer> pruned(PruneCriterion c, LayerView layer, int count) {
    int[] idx = c.selectToPrune(layer, count, new SplittableRandom(SEED));
    Set<Integer> set = new HashSet<>();
    for (int i : idx) {
      set.add(i);
    }
    assertEquals(idx.length, set.size(), "duplicate indices");
    return set;
  }

  private static Set<Integer> pruned(PruneCriterion c) {
    return pruned(c, layer(W, G, MASK), PRUNE_COUNT);
  }

  @Test
  void magnitudeRemovesSmallestAbsoluteActiveWeights() {
    // |w|: 6 -> .02, 2 -> .05, 1 -> .10 (5 is smaller but inactive)
    assertEquals(Set.of(1, 2, 6), pruned(new MagnitudePruner()));
  }

  @Test
  void setSplitsCountBetweenSignsInProportion() {
    // 4 non-negative, 3 negative active: 3 * 4/7 = 1.71 -> 2 positive, 1 negative.
    // smallest positives: 2 (.05), 4 (.30); negative closest to zero: 6 (-.02)
    assertEquals(Set.of(2, 4, 6), pruned(new SetPruner()));
  }

  @Test
  void setProportionFollowsSignCounts() {
    // eight positives, two negatives, remove five: 5 * 8/10 = 4 positive, 1 negative
    float[] w = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, -0.05f, -0.9f};
    float[] mask = new float[w.length];
    Arrays.fill(mask, 1f);
    LayerView l = layer(w, new float[w.length], mask);
    assertEquals(Set.of(0, 1, 2, 3, 8), pruned(new SetPruner(), l, 5));
  }

  @Test
  void setPassesRemainderWhenOneSignRunsOut() {
    float[] w = {0.1f, 0.2f, -0.3f};
    float[] mask = {1, 1, 1};
    LayerView l = layer(w, new float[w.length], mask);
    assertEquals(Set.of(0, 1, 2), pruned(new SetPruner(), l, 10));
  }

  @Test
  void mestAddsGammaTimesGradient() {
    // |w| + |g|: 6 -> .07, 2 -> .25, 0 -> .51, 1 -> .60
    assertEquals(Set.of(0, 2, 6), pruned(new MestPruner(1.0)));
    assertEquals(Set.of(0, 2, 6), pruned(new MestPruner()));
    // |w| + 10 |g|: 6 -> .52, 0 -> .60, 3 -> .80
    assertEquals(Set.of(0, 3, 6), pruned(new MestPruner(10.0)));
    // gamma 0 is plain magnitude
    assertEquals(Set.of(1, 2, 6), pruned(new MestPruner(0.0)));
    assertThrows(IllegalArgumentException.class, () -> new MestPruner(-1));
  }

  @Test
  void snipRemovesSmallestWeightTimesGradient() {
    // |w g|: 3 -> 0, 6 -> .001, 0 -> .005, 2 -> .01
    assertEquals(Set.of(0, 3, 6), pruned(new SnipPruner()));
  }

  @Test
  void sensitivityRemovesSmallestGradientOverWeight() {
    // |g| / |w|: 3 -> 0, 0 -> .02, 7 -> .033, 2 -> 4
    assertEquals(Set.of(0, 3, 7), pruned(new SensitivityPruner()));
  }

  @Test
  void reciprocalSensitivityRemovesSmallestWeightOverGradient() {
    // |w| / |g|: 4 -> .15, 1 -> .20, 2 -> .25, 6 -> .40
    assertEquals(Set.of(1, 2, 4), pruned(new ReciprocalSensitivityPruner()));
  }

  @Test
  void epsilonGuardsZeroWeightsAndGradients() {
    float[] w = {0f, 0f, 1f, 1f};
    float[] g = {0f, 1f, 1f, 0f};
    float[] mask = {1, 1, 1, 1};
    LayerView l = layer(w, g, mask);
    SplittableRandom rng = new SplittableRandom(SEED);
    for (float s : new SensitivityPruner().scores(l, rng)) {
      assertTrue(Float.isFinite(s), "sensitivity score not finite: " + s);
    }
    for (float s : new ReciprocalSensitivityPruner().scores(l, rng)) {
      assertTrue(Float.isFinite(s), "reciprocal sensitivity score not finite: " + s);
    }
    // sensitivity: 0, 1e8, 1, 0 -> the two zeros; 0/0 must not become NaN
    assertEquals(Set.of(0, 3), pruned(new SensitivityPruner(), l, 2));
    // reciprocal: 0, 0, 1, 1e8 -> the two zeros
    assertEquals(Set.of(0, 1), pruned(new ReciprocalSensitivityPruner(), l, 2));
    // the zero weight with a live gradient is the most sensitive: pruned last
    int[] order = new SensitivityPruner().selectToPrune(l, 4, rng);
    assertEquals(1, order[order.length - 1]);
  }

  @Test
  void randomIsSeedDeterministicAndPicksOnlyActive() {
    int n = 1000;
    float[] w = new float[n];
    float[] mask = new float[n];
    for (int i = 0; i < n; i++) {
      mask[i] = i % 2;
      w[i] = mask[i] * (i + 1);
    }
    LayerView l = layer(w, new float[n], mask);
    RandomPruner random = new RandomPruner();
    int[] a = random.selectToPrune(l, 100, new SplittableRandom(SEED));
    int[] b = random.selectToPrune(l, 100, new SplittableRandom(SEED));
    int[] c = random.selectToPrune(l, 100, new SplittableRandom(SEED + 1));
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    assertEquals(100, a.length);
    assertEquals(100, Arrays.stream(a).distinct().count());
    for (int i : a) {
      assertEquals(1f, mask[i], "picked inactive index " + i);
    }
    // more than available: every active weight once
    assertEquals(n / 2, random.selectToPrune(l, n, new SplittableRandom(SEED)).length);
  }

  @Test
  void countIsCappedByActiveWeights() {
    assertEquals(7, new MagnitudePruner().selectToPrune(layer(W, G, MASK), 100, null).length);
    assertEquals(0, new MagnitudePruner().selectToPrune(layer(W, G, MASK), 0, null).length);
  }

  @Test
  void registryResolvesEveryNameAndTaylorIsSnip() {
    for (String name : PruneCriteria.names()) {
      PruneCriterion c = PruneCriteria.byName(name);
      if (!name.equals(PruneCriteria.TAYLOR_ALIAS)) {
        assertEquals(name, c.name());
      }
    }
    assertInstanceOf(SnipPruner.class, PruneCriteria.byName("taylor"));
    assertEquals(SnipPruner.NAME, PruneCriteria.byName("taylor").name());
    assertInstanceOf(MagnitudePruner.class, PruneCriteria.byName("magnitude"));
    assertInstanceOf(SetPruner.class, PruneCriteria.byName("set"));
    assertInstanceOf(RandomPruner.class, PruneCriteria.byName("random"));
    assertInstanceOf(SensitivityPruner.class, PruneCriteria.byName("sensitivity"));
    assertInstanceOf(
        ReciprocalSensitivityPruner.class, PruneCriteria.byName("reciprocal-sensitivity"));
    MestPruner mest = assertInstanceOf(MestPruner.class, PruneCriteria.byName("mest", 0.25, 1e-6));
    assertEquals(0.25, mest.gamma());
    assertEquals(
        Set.of(
            "magnitude",
            "set",
            "mest",
            "snip",
            "taylor",
            "sensitivity",
            "reciprocal-sensitivity",
            "random"),
        Set.copyOf(PruneCriteria.names()));
  }

  @Test
  void unknownNameListsValidNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PruneCriteria.byName("bogus"));
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    for (String name : PruneCriteria.names()) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }
}
