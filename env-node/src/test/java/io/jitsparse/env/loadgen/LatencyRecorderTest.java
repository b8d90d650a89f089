package io.jitsparse.env.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  private static final long MS = 1_000_000L;

  @Test
  void percentilesOfOneToAThousandMillisecondsAreWithinTheBucketResolution() {
    LatencyRecorder r = new LatencyRecorder();
    for (long ms = 1000; ms >= 1; ms--) {
      r.record(ms * MS);
    }
    assertEquals(1000, r.count());
    assertEquals(500, r.percentileMs(0.5), 500 * 0.035);
    assertEquals(990, r.percentileMs(0.99), 990 * 0.035);
    assertEquals(1000, r.maxMs(), 1e-9);
    assertEquals(1, r.percentileMs(0), 0.035);
    // never above the exact maximum
    assertEquals(1000, r.percentileMs(1), 1000 * 0.035);
  }

  @Test
  void aSingleOutlierShowsInTheMaximumButNotTheMedian() {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = 0; i < 99; i++) {
      r.record(2 * MS);
    }
    r.record(250 * MS);
    assertEquals(2, r.percentileMs(0.5), 2 * 0.035);
    assertEquals(2, r.percentileMs(0.99), 2 * 0.035);
    assertEquals(250, r.maxMs(), 1e-9);
  }

  @Test
  void smallValuesAreExactAndResetForgetsEverything() {
    LatencyRecorder r = new LatencyRecorder();
    r.record(7);
    r.record(-3);
    assertEquals(7, r.percentileNanos(1));
    assertEquals(0, r.percentileNanos(0.5));
    r.reset();
    assertEquals(0, r.count());
    assertEquals(0, r.percentileNanos(0.99));
    assertEquals(0, r.maxNanos());
    assertThrows(IllegalArgumentException.class, () -> r.percentileNanos(1.5));
  }

  @Test
  void everyBucketsMidpointLiesInItsOwnBucket() {
    for (long v : new long[] {31, 32, 63, 64, 1000, 123_456_789, Long.MAX_VALUE / 3}) {
      int b = LatencyRecorder.bucket(v);
      assertEquals(b, LatencyRecorder.bucket(LatencyRecorder.midpoint(b)), "value " + v);
    }
  }
}
