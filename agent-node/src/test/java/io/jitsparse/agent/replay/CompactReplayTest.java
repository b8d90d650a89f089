package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactReplay}: first-in-first-out eviction by either bound (slots, payload arena) with
 * transitions of different depths and the arena wrapping around, payloads that come back from
 * sampling exactly as inserted, the priority sum through updates and evictions, and sampling in
 * proportion to priority.
 */
class CompactReplayTest {

  private static final double ALPHA = 0.6;
  private static final double EPSILON = 1e-3;

  /** A transition as inserted, to compare sampled rows against. */
  private record Stored(float[] state, float[] next, int[] moves, float reward, float discount) {}

  /** A transition of {@code layers} layers whose every value is distinct and derived from id. */
  private static Stored transition(long id, int layers) {
    int length = FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layers;
    float[] state = new float[length];
    float[] next = new float[length];
    for (int i = 0; i < length; i++) {
      state[i] = id * 1000 + i;
      next[i] = -(id * 1000 + i);
    }
    int[] moves = new int[layers];
    for (int l = 0; l < layers; l++) {
      moves[l] = (int) ((id + l) % MoveSet.size());
    }
    return new Stored(state, next, moves, 0.5f + id, (id % 3 == 0) ? 0f : 0.97f);
  }

  private static long insert(CompactReplay r, Map<Long, Stored> live, long id, int layers) {
    Stored s = transition(id, layers);
    long got = r.insert(s.state(), s.next(), s.moves(), s.reward(), s.discount(), 1.0);
    assertEquals(id, got);
    live.put(got, s);
    return got;
  }

  /** Every sampled transition's rows, moves, reward and discount equal what was inserted. */
  private static Set<Long> checkSample(
      CompactReplay r, Map<Long, Stored> live, int batch, long seed) {
    SampledBatch b = r.sample(batch, 0.4, new Random(seed));
    Set<Long> seen = new HashSet<>();
    int width = FeatureEncoder.ROW;
    int row = 0;
    for (int i = 0; i < b.size(); i++) {
      Stored s = live.get(b.ids()[i]);
      assertTrue(s != null, "sampled id " + b.ids()[i] + " is not live: " + live.keySet());
      seen.add(b.ids()[i]);
      assertEquals(s.moves().length, b.layers()[i]);
      assertEquals(s.reward(), b.rewards()[i]);
      assertEquals(s.discount(), b.discounts()[i]);
      for (int l = 0; l < b.layers()[i]; l++, row++) {
        float[] expectedState = new float[width];
        float[] expectedNext = new float[width];
        FeatureEncoder.row(s.state(), l, expectedState, 0);
        FeatureEncoder.row(s.next(), l, expectedNext, 0);
        assertArrayEquals(
            expectedState, Arrays.copyOfRange(b.states(), row * width, (row + 1) * width));
        assertArrayEquals(
            expectedNext, Arrays.copyOfRange(b.nextStates(), row * width, (row + 1) * width));
        assertEquals(s.moves()[l], b.moves()[row]);
        assertEquals(i, b.owner()[row]);
      }
    }
    assertEquals(row, b.rows());
    return seen;
  }

  @Test
  void evictsOldestFirstWhenTheSlotsAreFull() {
    CompactReplay r = new CompactReplay(3, 100_000, ALPHA, EPSILON);
    Map<Long, Stored> live = new LinkedHashMap<>();
    for (long id = 0; id < 5; id++) {
      insert(r, live, id, 2);
    }
    live.remove(0L);
    live.remove(1L);
    assertEquals(3, r.size());
    assertEquals(5, r.inserted());
    assertEquals(2, r.evicted());
    Set<Long> seen = checkSample(r, live, 256, 1);
    assertEquals(Set.of(2L, 3L, 4L), seen);
  }

  @Test
  void evictsOldestFirstWhenTheArenaIsFullAndWrapsAround() {
    // payloads: 1 layer 43 floats, 2 layers 70, 4 layers 124 (2 * (8 + 13 L) + L)
    assertEquals(43, CompactReplay.payloadFloats(1));
    assertEquals(70, CompactReplay.payloadFloats(2));
    assertEquals(124, CompactReplay.payloadFloats(4));
    CompactReplay r = new CompactReplay(100, 250, ALPHA, EPSILON);
    Map<Long, Stored> live = new LinkedHashMap<>();
    insert(r, live, 0, 4); // [0, 124)
    insert(r, live, 1, 2); // [124, 194)
    insert(r, live, 2, 1); // [194, 237)
    assertEquals(0, r.evicted());
    // 70 floats do not fit after 237: wrap to 0, which evicts 0 only
    insert(r, live, 3, 2); // [0, 70)
    live.remove(0L);
    assertState(r, live, 1);
    insert(r, live, 4, 4); // [70, 194): evicts 1
    live.remove(1L);
    assertState(r, live, 2);
    insert(r, live, 5, 1); // [194, 237): evicts 2
    live.remove(2L);
    assertState(r, live, 3);
    // 124 floats do not fit after 237: wrap to 0, evicting 3 at [0, 70) and 4 at [70, 194)
    insert(r, live, 6, 4); // [0, 124)
    live.remove(3L);
    live.remove(4L);
    assertState(r, live, 5);
    assertEquals(Set.of(5L, 6L), live.keySet());
    // the 7th insert fits behind 6 without touching 5
    insert(r, live, 7, 1); // [124, 167)
    assertState(r, live, 5);
  }

  private static void assertState(CompactReplay r, Map<Long, Stored> live, long evicted) {
    assertEquals(evicted, r.evicted());
    assertEquals(live.size(), r.size());
    // many draws of equal priorities: every live transition shows up, intact
    assertEquals(live.keySet(), checkSample(r, live, 512, evicted));
  }

  @Test
  void mixedDepthsWrappingManyTimesStayIntact() {
    int capacity = 50;
    // room for about 20 transitions of 1 to 21 layers: both bounds take turns evicting
    CompactReplay r = new CompactReplay(capacity, 20 * CompactReplay.payloadFloats(8), 0.5, 1e-3);
    Map<Long, Stored> live = new HashMap<>();
    Random random = new Random(3);
    long arenaFloats = 20L * CompactReplay.payloadFloats(8);
    for (long id = 0; id < 2_000; id++) {
      int layers = random.nextBoolean() ? 1 + random.nextInt(4) : 21;
      insert(r, live, id, layers);
      // what is live is the newest contiguous run of ids
      long oldest = r.inserted() - r.size();
      live.keySet().removeIf(k -> k < oldest);
      assertEquals(r.size(), live.size());
      assertTrue(r.size() <= capacity);
      long floats = 0;
      for (Stored s : live.values()) {
        floats += CompactReplay.payloadFloats(s.moves().length);
      }
      assertTrue(floats <= arenaFloats, floats + " floats live in an arena of " + arenaFloats);
      if (id % 7 == 0) {
        checkSample(r, live, 64, id);
      }
    }
    assertEquals(2_000 - r.size(), r.evicted());
    // every live one is intact and sampleable
    assertEquals(live.keySet(), checkSample(r, live, 4096, 99));
  }

  @Test
  void prioritySumFollowsUpdatesAndEvictionsAndStaleUpdatesAreIgnored() {
    CompactReplay r = new CompactReplay(4, 100_000, ALPHA, EPSILON);
    Map<Long, Double> priority = new HashMap<>();
    Map<Long, Integer> slotOf = new HashMap<>();
    for (long id = 0; id < 4; id++) {
      Stored s = transition(id, 1);
      double p = id + 1;
      r.insert(s.state(), s.next(), s.moves(), s.reward(), s.discount(), p);
      priority.put(id, p);
    }
    assertEquals(expectedSum(priority), r.prioritySum(), 1e-12);
    // learn each transition's slot from a sample
    SampledBatch b = r.sample(400, 0.4, new Random(1));
    for (int i = 0; i < b.size(); i++) {
      slotOf.put(b.ids()[i], b.slots()[i]);
    }
    assertEquals(4, slotOf.size());
    int updated =
        r.updatePriorities(
            new int[] {slotOf.get(1L), slotOf.get(2L)}, new long[] {1, 2}, new double[] {7, -0.5});
    assertEquals(2, updated);
    priority.put(1L, 7.0);
    priority.put(2L, 0.5); // |priority|
    assertEquals(expectedSum(priority), r.prioritySum(), 1e-12);
    // two more evict 0 and 1
    for (long id = 4; id < 6; id++) {
      Stored s = transition(id, 1);
      r.insert(s.state(), s.next(), s.moves(), s.reward(), s.discount(), 3.0);
      priority.put(id, 3.0);
    }
    priority.remove(0L);
    priority.remove(1L);
    assertEquals(expectedSum(priority), r.prioritySum(), 1e-12);
    // an update for evicted transition 1 lands on its old slot, now holding 5: ignored
    double before = r.prioritySum();
    assertEquals(
        0, r.updatePriorities(new int[] {slotOf.get(1L)}, new long[] {1}, new double[] {1e6}));
    assertEquals(before, r.prioritySum(), 0);
    assertEquals(
        1, r.updatePriorities(new int[] {slotOf.get(3L)}, new long[] {3}, new double[] {0}));
    priority.put(3L, 0.0);
    assertEquals(expectedSum(priority), r.prioritySum(), 1e-12);
  }

  private static double expectedSum(Map<Long, Double> priority) {
    double sum = 0;
    for (double p : priority.values()) {
      sum += Math.pow(Math.abs(p) + EPSILON, ALPHA);
    }
    return sum;
  }

  @Test
  void samplingFrequenciesFollowPriorities() {
    double alpha = 0.7;
    double epsilon = 1e-9;
    double[] p = {1, 2, 3, 5, 8, 0.1};
    CompactReplay r = new CompactReplay(p.length, 100_000, alpha, epsilon);
    for (int i = 0; i < p.length; i++) {
      Stored s = transition(i, 1 + i % 3);
      r.insert(s.state(), s.next(), s.moves(), s.reward(), s.discount(), p[i]);
    }
    double z = 0;
    for (double v : p) {
      z += Math.pow(v + epsilon, alpha);
    }
    long[] counts = new long[p.length];
    Random random = new Random(12345);
    int draws = 0;
    for (int k = 0; k < 4_000; k++) {
      SampledBatch b = r.sample(16, 0.4, random);
      for (long id : b.ids()) {
        counts[(int) id]++;
        draws++;
      }
    }
    double chiSquare = 0;
    for (int i = 0; i < p.length; i++) {
      double expected = draws * Math.pow(p[i] + epsilon, alpha) / z;
      chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    // 5 degrees of freedom: P(chi2 > 20.5) = 0.001. Sampling by priority without the exponent
    // (or uniformly) gives a statistic in the thousands with this many draws.
    assertTrue(chiSquare < 20.5, "chi-square " + chiSquare + ", counts " + Arrays.toString(counts));
  }

  @Test
  void bytesCountEveryArray() {
    // arena 4 B/float; per slot offset 4, layer count 2, reward 4, discount 4, id 8;
    // sum tree: 2 * (capacity rounded up to a power of two) doubles
    assertEquals(
        10_000 * 4 + 1_000 * 22 + 2_048 * 8, new CompactReplay(1_000, 10_000, 0.6, 1e-3).bytes());
    assertEquals(10 * 4 + 1_024 * 22 + 2_048 * 8, new CompactReplay(1_024, 10, 0.6, 1e-3).bytes());
    assertEquals(10 * 4 + 1_025 * 22 + 4_096 * 8, new CompactReplay(1_025, 10, 0.6, 1e-3).bytes());
    assertEquals(4 + 22 + 2 * 8, new CompactReplay(1, 1, 0.6, 1e-3).bytes());
  }

  @Test
  void rejectsTransitionsThatDoNotFit() {
    CompactReplay r = new CompactReplay(4, CompactReplay.payloadFloats(2), ALPHA, EPSILON);
    Stored three = transition(0, 3);
    assertThrows(
        IllegalArgumentException.class,
        () -> r.insert(three.state(), three.next(), three.moves(), 0, 0, 1));
    Stored two = transition(0, 2);
    assertThrows(
        IllegalArgumentException.class,
        () -> r.insert(two.state(), three.next(), two.moves(), 0, 0, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> r.insert(two.state(), two.next(), three.moves(), 0, 0, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> r.insert(new float[5], new float[5], new int[0], 0, 0, 1));
    assertEquals(0, r.size());
    assertEquals(0, r.inserted());
    assertThrows(IllegalArgumentException.class, () -> new CompactReplay(0, 10, ALPHA, EPSILON));
  }
}
