package io.jitsparse.env.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectionTest {

  private static final int LARGE = 2_000_000;
  private static final long SEED = 7;

  @Test
  void lowestActiveRanksByScoreThenIndex() {
    float[] scores = {3f, 1f, 1f, -2f, 0f, -0f, 5f};
    float[] mask = {1, 1, 1, 1, 1, 1, 0};
    // -2 (3), then 0 and -0 tie -> index 4 before 5, then 1 (1) before 1 (2)
    assertArrayEquals(new int[] {3, 4, 5, 1}, Selection.lowestActive(scores, mask, 4));
  }

  @Test
  void highestInactiveRanksByScoreThenIndex() {
    float[] scores = {9f, 2f, 7f, 7f, 1f, 8f};
    float[] mask = {1, 0, 0, 0, 0, 1};
    assertArrayEquals(new int[] {2, 3, 1}, Selection.highestInactive(scores, mask, 3));
    assertArrayEquals(new int[] {2, 3, 1, 4}, Selection.highestInactive(scores, mask, 99));
  }

  @Test
  void nanRanksAsLeastImportant() {
    float[] scores = {Float.NaN, 1f, Float.NEGATIVE_INFINITY, 2f};
    float[] active = {1, 1, 1, 1};
    assertArrayEquals(new int[] {0, 2}, Selection.lowestActive(scores, active, 2));
    float[] inactive = {0, 0, 0, 0};
    assertArrayEquals(new int[] {3, 1, 0, 2}, Selection.highestInactive(scores, inactive, 4));
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Selection.lowestActive(new float[2], new float[3], 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> Selection.lowestActive(new float[2], new float[2], -1));
  }

  @Test
  void selectsFromTwoMillionWeights() {
    SplittableRandom rng = new SplittableRandom(SEED);
    float[] scores = new float[LARGE];
    float[] mask = new float[LARGE];
    int active = 0;
    for (int i = 0; i < LARGE; i++) {
      // coarse scores so that many ties have to be broken by index
      scores[i] = rng.nextInt(1000) / 10f;
      mask[i] = rng.nextInt(10) < 3 ? 1f : 0f;
      active += (int) mask[i];
    }
    int count = active / 4;
    int[] picked = Selection.lowestActive(scores, mask, count);
    assertEquals(count, picked.length);
    boolean[] chosen = new boolean[LARGE];
    for (int i : picked) {
      assertEquals(1f, mask[i], "picked an inactive entry");
      chosen[i] = true;
    }
    assertEquals(count, Arrays.stream(picked).distinct().count());
    // the last picked outranks every active entry left behind
    int last = picked[picked.length - 1];
    for (int i = 0; i < LARGE; i++) {
      if (mask[i] != 0f && !chosen[i]) {
        assertTrue(
            scores[i] > scores[last] || (scores[i] == scores[last] && i > last),
            "entry " + i + " should have been picked before " + last);
      }
    }
    int[] grown = Selection.highestInactive(scores, mask, count);
    assertEquals(count, grown.length);
    for (int i : grown) {
      assertEquals(0f, mask[i], "grew an active entry");
    }
  }

  @Test
  void agreesWithAFullSortOnManyShapes() {
    SplittableRandom rng = new SplittableRandom(SEED);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rng.nextInt(400);
      float[] scores = new float[n];
      float[] mask = new float[n];
      int pattern = trial % 4;
      for (int i = 0; i < n; i++) {
        scores[i] =
            switch (pattern) {
              case 0 -> (float) rng.nextGaussian();
              case 1 -> i; // already sorted
              case 2 -> n - i; // reversed
              default -> rng.nextInt(3); // heavy ties
            };
        mask[i] = rng.nextInt(4) == 0 ? 0f : 1f;
      }
      int count = rng.nextInt(n + 2);
      assertArrayEquals(
          bruteForceLowestActive(scores, mask, count),
          Selection.lowestActive(scores, mask, count),
          "trial " + trial);
    }
  }

  private static int[] bruteForceLowestActive(float[] scores, float[] mask, int count) {
    return java.util.stream.IntStream.range(0, scores.length)
        .filter(i -> mask[i] != 0f)
        .boxed()
        .sorted(
            java.util.Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i))
        .limit(count)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  @Test
  void randomSubsetsStayOnTheirSide() {
    float[] mask = {1, 0, 1, 0, 1, 0};
    for (int i : Selection.randomActive(mask, 2, new SplittableRandom(SEED))) {
      assertEquals(1f, mask[i]);
    }
    for (int i : Selection.randomInactive(mask, 2, new SplittableRandom(SEED))) {
      assertEquals(0f, mask[i]);
    }
    assertEquals(3, Selection.randomInactive(mask, 10, new SplittableRandom(SEED)).length);
  }
}
