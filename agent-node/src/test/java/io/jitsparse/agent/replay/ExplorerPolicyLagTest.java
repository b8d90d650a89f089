package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ExplorerPolicyLagTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void oneSeriesPerTrainerWithItsNewestLag() {
    ExplorerPolicyLag lag = new ExplorerPolicyLag(registry, 4);
    lag.record("node-1-0/12345", 7);
    lag.record("node-1-0/12345", 2);
    // a restarted explorer of the same trainer (new uid) keeps the trainer's series
    lag.record("node-1-0/999", 3);
    lag.record("node-1-1/55", 0);
    assertEquals(2, registry.find("jitsparse.agent.explorer.policy.lag").gauges().size());
    assertEquals(3.0, lag("node-1-0"));
    assertEquals(0.0, lag("node-1-1"));
  }

  @Test
  void theNumberOfSeriesIsBoundedAndTheLeastRecentlyHeardGivesWay() {
    ExplorerPolicyLag lag = new ExplorerPolicyLag(registry, 3);
    for (int t = 0; t < 100; t++) {
      lag.record("trainer-" + t + "/1", t);
      lag.record("trainer-0/1", 0); // heard from all the time: never evicted
    }
    assertEquals(3, lag.size());
    assertEquals(3, registry.find("jitsparse.agent.explorer.policy.lag").gauges().size());
    assertEquals(0.0, lag("trainer-0"));
    assertEquals(99.0, lag("trainer-99"));
    assertNull(
        registry.find("jitsparse.agent.explorer.policy.lag").tag("trainer", "trainer-1").gauge());
    lag.close();
    assertEquals(0, registry.find("jitsparse.agent.explorer.policy.lag").gauges().size());
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ExplorerPolicyLag(registry, 0));
  }

  private double lag(String trainer) {
    return registry
        .get("jitsparse.agent.explorer.policy.lag")
        .tag("trainer", trainer)
        .gauge()
        .value();
  }
}
