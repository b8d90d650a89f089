package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselineSettingsTest {

  @Test
  void defaultsAreTheFantasticWeightsProtocol() {
    BaselineSettings s = TestRuns.settings(Map.of());
    assertEquals("lenet5-caffe", s.model());
    assertEquals(0.01, s.learningRate());
    assertEquals(0.9, s.optimizer().momentum());
    assertTrue(s.optimizer().nesterov());
    assertEquals(5e-4, s.optimizer().weightDecay());
    assertEquals(128, s.batchSize());
    assertEquals("erk", s.distribution());
    assertEquals(800, s.deltaT().resolve(10_000));
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    for (Map.Entry<String, Object> bad :
        Map.<String, Object>of(
                "density",
                1.5,
                "method",
                "magic",
                "model",
                "vgg",
                "epochs",
                0,
                "delta-t",
                "abc",
                "optimizer",
                "rmsprop",
                "validation-fraction",
                1.0,
                "lr",
                -1)
            .entrySet()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> TestRuns.settings(Map.of(bad.getKey(), bad.getValue())),
              bad.toString());
      assertTrue(
          e.getMessage().contains(bad.getKey())
              || e.getMessage().contains(String.valueOf(bad.getValue())),
          bad + " -> " + e.getMessage());
    }
  }

  @Test
  void aNonNumberIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TestRuns.settings(Map.of("density", "lots")));
    assertTrue(e.getMessage().contains("density"), e.getMessage());
  }

  @Test
  void countsMustBeWholeNumbersInRange() {
    for (Object bad : new Object[] {1.5, "2.5", 99_999_999_999L}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> TestRuns.settings(Map.of("epochs", bad)));
      assertTrue(
          e.getMessage().contains("epochs") && e.getMessage().contains("whole number"),
          e.getMessage());
    }
    assertEquals(3, TestRuns.settings(Map.of("epochs", 3.0)).epochs());
  }
}
