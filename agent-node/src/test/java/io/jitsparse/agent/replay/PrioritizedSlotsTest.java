package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PrioritizedSlotsTest {

  @Test
  void evictsOldestFirstAndIgnoresUpdatesOfEvictedTransitions() {
    PrioritizedSlots r = new PrioritizedSlots(3, 0.6, 1e-6);
    int s0 = r.insert(1);
    r.insert(1);
    r.insert(1);
    assertEquals(3, r.size());
    long id0 = r.idAt(s0);
    int s3 = r.insert(5);
    assertEquals(s0, s3, "the fourth insert reuses the oldest slot");
    assertEquals(3, r.size());
    assertFalse(r.update(s0, id0, 100), "transition 0 was evicted");
    assertTrue(r.update(s3, r.idAt(s3), 2));
    assertEquals(4, r.inserted());
  }

  @Test
  void samplesInProportionToPriorityToTheAlpha() {
    double alpha = 0.6;
    PrioritizedSlots r = new PrioritizedSlots(4, alpha, 1e-9);
    double[] p = {1, 2, 4, 8};
    for (double v : p) {
      r.insert(v);
    }
    double z = 0;
    for (double v : p) {
      z += Math.pow(v, alpha);
    }
    int[] counts = new int[4];
    Random random = new Random(3);
    int draws = 0;
    for (int k = 0; k < 20_000; k++) {
      for (int slot : r.sample(8, 0.4, random).slots()) {
        counts[slot]++;
        draws++;
      }
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(Math.pow(p[i], alpha) / z, counts[i] / (double) draws, 0.01, "slot " + i);
    }
  }

  @Test
  void weightsCorrectTheBiasAndPeakAtOne() {
    PrioritizedSlots r = new PrioritizedSlots(2, 1.0, 1e-12);
    r.insert(1);
    r.insert(3);
    PrioritizedSlots.Batch b = r.sample(64, 1.0, new Random(4));
    for (int i = 0; i < 64; i++) {
      // beta = 1: w_i proportional to 1 / P(i); the rare slot (P = 1/4) has the largest weight
      double expected = b.slots()[i] == 0 ? 1.0 : 1.0 / 3;
      assertEquals(expected, b.weights()[i], 1e-9);
      assertEquals(b.slots()[i] == 0 ? 0.25 : 0.75, b.probabilities()[i], 1e-9);
    }
  }

  @Test
  void betaAnnealsToOne() {
    assertEquals(0.4, PrioritizedSlots.beta(0.4, 0, 100), 1e-12);
    assertEquals(0.7, PrioritizedSlots.beta(0.4, 50, 100), 1e-12);
    assertEquals(1.0, PrioritizedSlots.beta(0.4, 100, 100), 1e-12);
    assertEquals(1.0, PrioritizedSlots.beta(0.4, 5000, 100), 1e-12);
  }

  @Test
  void rejectsBadInput() {
    PrioritizedSlots r = new PrioritizedSlots(2, 0.6, 1e-6);
    assertThrows(IllegalStateException.class, () -> r.sample(1, 0.4, new Random(1)));
    assertThrows(IllegalArgumentException.class, () -> r.insert(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new PrioritizedSlots(2, -1, 1e-6));
    assertThrows(IllegalArgumentException.class, () -> new PrioritizedSlots(2, 0.6, 0));
  }
}
