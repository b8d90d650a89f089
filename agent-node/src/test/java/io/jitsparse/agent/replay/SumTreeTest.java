package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SumTreeTest {

  @Test
  void findWalksPrefixSums() {
    SumTree t = new SumTree(5);
    double[] p = {1, 0, 2, 3, 4};
    for (int i = 0; i < p.length; i++) {
      t.set(i, p[i]);
    }
    assertEquals(10, t.total(), 1e-12);
    assertEquals(0, t.find(0));
    assertEquals(0, t.find(0.999));
    assertEquals(2, t.find(1.0), "slot 1 has priority 0 and is skipped");
    assertEquals(2, t.find(2.999));
    assertEquals(3, t.find(3.0));
    assertEquals(4, t.find(6.0));
    assertEquals(4, t.find(9.999999));
    assertEquals(4, t.find(10.0), "u at the total is clamped inside");
    t.set(4, 0);
    assertEquals(6, t.total(), 1e-12);
    assertEquals(3, t.find(5.9));
  }

  @Test
  void samplingFrequenciesFollowPriorities() {
    SumTree t = new SumTree(7);
    double[] p = {0.5, 1, 2, 0, 4, 0.25, 8};
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      t.set(i, p[i]);
      total += p[i];
    }
    int[] counts = new int[p.length];
    Random r = new Random(1);
    int n = 200_000;
    for (int k = 0; k < n; k++) {
      counts[t.find(r.nextDouble() * t.total())]++;
    }
    for (int i = 0; i < p.length; i++) {
      double expected = p[i] / total;
      double seen = counts[i] / (double) n;
      assertEquals(expected, seen, 0.005, "slot " + i);
    }
    assertEquals(0, counts[3]);
  }

  @Test
  void staysConsistentUnderManyUpdates() {
    int cap = 1000;
    SumTree t = new SumTree(cap);
    double[] shadow = new double[cap];
    Random r = new Random(2);
    for (int k = 0; k < 100_000; k++) {
      int i = r.nextInt(cap);
      double v = r.nextDouble() * 10;
      t.set(i, v);
      shadow[i] = v;
    }
    double sum = 0;
    for (double v : shadow) {
      sum += v;
    }
    assertEquals(sum, t.total(), 1e-6 * sum);
    assertEquals(java.util.Arrays.stream(shadow).max().getAsDouble(), t.max());
  }

  @Test
  void rejectsBadInput() {
    SumTree t = new SumTree(3);
    assertThrows(IllegalArgumentException.class, () -> new SumTree(0));
    assertThrows(IndexOutOfBoundsException.class, () -> t.set(3, 1));
    assertThrows(IllegalArgumentException.class, () -> t.set(0, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> t.set(0, -1));
    assertThrows(IllegalStateException.class, () -> t.find(0));
    t.set(1, 2);
    assertTrue(t.find(1.5) == 1);
  }
}
