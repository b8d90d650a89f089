package io.jitsparse.monitoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

class NodeMetersTest {

  @Test
  void everySeriesCarriesTheNodeTags() {
    try (NodeMeters m = NodeMeters.create("env", "node-a", "run-1")) {
      Counter.builder("jitsparse.test.events").register(m.registry()).increment(3);
      String text = m.scrape();
      assertTrue(
          text.contains(
              "jitsparse_test_events_total{node=\"node-a\",role=\"env\",run=\"run-1\"} 3.0"),
          text);
      assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are bound");
    }
  }
}
