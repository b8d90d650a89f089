package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplesPerInsertLimitTest {

  @Test
  void waitsForTheMinimumThenHoldsTheRatio() {
    SamplesPerInsertLimit limit = new SamplesPerInsertLimit(8, 100, 32);
    limit.inserted(99);
    assertFalse(limit.canSample(32), "below the minimum replay size");
    limit.inserted(1);
    assertTrue(limit.canSample(32), "the tolerance allows one batch at the minimum");
    limit.sampled(32);
    assertFalse(limit.canSample(32));
    limit.inserted(4); // 4 inserts beyond the minimum allow 8 x 4 = 32 more samples
    assertTrue(limit.canSample(32));
    limit.sampled(32);
    assertFalse(limit.canSample(1));
    // run for a while: the learner samples whenever allowed; the ratio converges to 8
    for (int i = 0; i < 10_000; i++) {
      limit.inserted(1);
      while (limit.canSample(32)) {
        limit.sampled(32);
      }
    }
    double ratio = limit.samples() / (double) (limit.inserts() - 100);
    assertEquals(8, ratio, 0.01);
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new SamplesPerInsertLimit(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new SamplesPerInsertLimit(1, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new SamplesPerInsertLimit(Double.NaN, 1, 1));
  }
}
