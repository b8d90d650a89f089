package io.jitsparse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostScenarioQuantileTest {

  @Test
  void theBucketHoldingTheQuantileIsFoundWhateverTheOtherLabelsAre() {
    String name = "jitsparse_cluster_scheduling_delay_seconds";
    PrometheusText m =
        PrometheusText.of(
            String.join(
                "\n",
                "# TYPE " + name + " histogram",
                name + "_bucket{le=\"0.001\",role=\"agent\"} 90",
                name + "_bucket{le=\"0.01\",role=\"agent\"} 99",
                name + "_bucket{node=\"a\",le=\"0.1\",role=\"agent\"} 100",
                name + "_bucket{le=\"+Inf\",role=\"agent\"} 100",
                name + "_count{role=\"agent\"} 100"));
    assertEquals(0.01, HostScenario.quantileBound(m, name, 0.99));
    assertEquals(0.001, HostScenario.quantileBound(m, name, 0.9));
    assertEquals(0.1, HostScenario.quantileBound(m, name, 1.0));
  }
}
