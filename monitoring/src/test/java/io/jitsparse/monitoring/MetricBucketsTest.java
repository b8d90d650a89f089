package io.jitsparse.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricBucketsTest {

  @Test
  void layerLabelsSortInModelOrder() {
    assertEquals("00", MetricBuckets.layerLabel(0));
    assertEquals("07", MetricBuckets.layerLabel(7));
    assertEquals("20", MetricBuckets.layerLabel(20));
    assertTrue(MetricBuckets.layerLabel(9).compareTo(MetricBuckets.layerLabel(10)) < 0);
    assertThrows(IllegalArgumentException.class, () -> MetricBuckets.layerLabel(-1));
  }

  @Test
  void bucketsAreIncreasingAndPositive() {
    for (double[] b : new double[][] {MetricBuckets.ACCURACY_PERCENT, MetricBuckets.POLICY_LAG}) {
      assertTrue(b[0] > 0, "Micrometer refuses bounds <= 0");
      for (int i = 1; i < b.length; i++) {
        assertTrue(b[i] > b[i - 1], "bucket " + i + " not increasing");
      }
    }
    for (int i = 1; i < MetricBuckets.LATENCY.length; i++) {
      assertTrue(MetricBuckets.LATENCY[i].compareTo(MetricBuckets.LATENCY[i - 1]) > 0);
    }
    assertEquals(Duration.ofSeconds(30), MetricBuckets.LATENCY[MetricBuckets.LATENCY.length - 1]);
  }

  @Test
  void accuracyBucketsGoFromChanceToOneHundredPercent() {
    assertEquals(19, MetricBuckets.ACCURACY_PERCENT.length);
    assertEquals(10.0, MetricBuckets.ACCURACY_PERCENT[0]);
    assertEquals(15.0, MetricBuckets.ACCURACY_PERCENT[1]);
    assertEquals(100.0, MetricBuckets.ACCURACY_PERCENT[18]);
  }

  @Test
  void aHistogramExposesExactlyItsBucketsPlusInf() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DistributionSummary.builder("jitsparse.test.accuracy")
        .baseUnit("percent")
        .scale(MetricBuckets.PERCENT)
        .serviceLevelObjectives(MetricBuckets.ACCURACY_PERCENT)
        .register(r)
        .record(0.72);
    String text = r.scrape();
    String bucket = "jitsparse_test_accuracy_percent_bucket";
    long buckets = text.lines().filter(l -> l.startsWith(bucket)).count();
    assertEquals(MetricBuckets.ACCURACY_PERCENT.length + 1, buckets, text);
    // 0.72 is 72 %: above 70, within 75
    assertTrue(text.contains(bucket + "{le=\"70.0\"} 0"), text);
    assertTrue(text.contains(bucket + "{le=\"75.0\"} 1"), text);
  }
}
