package io.jitsparse.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.trainer.TrainerSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselinesTest {

  @Test
  void namesMapToTheEngineKeysOfTheTable() {
    Baselines.Baseline gmp = Baselines.byName("gmp-cubic", 20);
    assertEquals("gmp", gmp.keys().get("method"));
    assertEquals("cubic", gmp.keys().get("schedule"));
    assertEquals(1.0, gmp.keys().get("gmp-initial-density"));
    assertEquals("0%", gmp.keys().get("gmp-start"));
    assertEquals("75%", gmp.keys().get("gmp-end"));
    assertEquals(20L, gmp.keys().get("delta-t"));

    Baselines.Baseline dst = Baselines.byName("dst-cosine", 10);
    assertEquals("dst", dst.keys().get("method"));
    assertEquals("magnitude", dst.keys().get("prune"));
    assertEquals("gradient", dst.keys().get("grow"));
    assertEquals("cosine", dst.keys().get("prune-fraction-decay"));
    assertEquals("erk", dst.keys().get("distribution"));
    assertEquals(10L, dst.keys().get("delta-t"));

    assertEquals("random", Baselines.byName("dst-linear-set", 10).keys().get("grow"));
    assertEquals(
        "linear", Baselines.byName("dst-linear-set", 10).keys().get("prune-fraction-decay"));
    assertEquals("momentum", Baselines.byName("dst-cosine-snfs", 10).keys().get("grow"));
    assertEquals(
        Map.of("method", "static", "distribution", "erk"),
        Baselines.byName("static-erk", 10).keys());
  }

  @Test
  void everyKnownNameIsAValidEngineMethodAtTheTarget() {
    TrainerSettings s = EvaluationTest.settings(Map.of());
    for (String name : Baselines.names()) {
      Baselines.Baseline b = Baselines.byName(name, s.decisionInterval());
      assertEquals(b.keys().get("method"), s.engine(1, b.keys()).method(), name);
      assertTrue(!b.description().isBlank(), name);
    }
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Baselines.byName("lottery", 10));
    for (String known : Baselines.names()) {
      assertTrue(e.getMessage().contains(known), known);
    }
  }
}
