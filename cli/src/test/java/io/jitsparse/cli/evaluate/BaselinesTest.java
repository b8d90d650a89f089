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
    Baselines.Baseline gmp = Baselines.byName("gmp-cubic", "1%", "75%");
    assertEquals("gmp", gmp.keys().get("method"));
    assertEquals("cubic", gmp.keys().get("schedule"));
    assertEquals(1.0, gmp.keys().get("gmp-initial-density"));
    assertEquals("0%", gmp.keys().get("gmp-start"));
    assertEquals("75%", gmp.keys().get("gmp-end"));
    assertEquals("1%", gmp.keys().get("delta-t"));
    assertEquals("uniform", gmp.keys().get("distribution"));
    assertEquals(false, gmp.keys().get("global-pruning"));

    Baselines.Baseline erk = Baselines.byName("gmp-cubic-erk", "1%", "75%");
    assertEquals("erk", erk.keys().get("distribution"));
    assertEquals("cubic", erk.keys().get("schedule"));
    Baselines.Baseline global = Baselines.byName("gmp-cosine-global", "1%", "75%");
    assertEquals(true, global.keys().get("global-pruning"));
    assertEquals("cosine", global.keys().get("schedule"));

    // DST keeps RigL's own cadence, whatever the policy's decisions
    Baselines.Baseline dst = Baselines.byName("dst-cosine", "1%", "75%");
    assertEquals("dst", dst.keys().get("method"));
    assertEquals("magnitude", dst.keys().get("prune"));
    assertEquals("gradient", dst.keys().get("grow"));
    assertEquals("cosine", dst.keys().get("prune-fraction-decay"));
    assertEquals("erk", dst.keys().get("distribution"));
    assertEquals(100L, dst.keys().get("delta-t"));

    assertEquals("random", Baselines.byName("dst-linear-set", "1%", "75%").keys().get("grow"));
    assertEquals(
        "linear",
        Baselines.byName("dst-linear-set", "1%", "75%").keys().get("prune-fraction-decay"));
    assertEquals("momentum", Baselines.byName("dst-cosine-snfs", "1%", "75%").keys().get("grow"));
    assertEquals(
        Map.of("method", "static", "distribution", "erk"),
        Baselines.byName("static-erk", "1%", "75%").keys());
  }

  @Test
  void gmpCubicErkIsTheBudgetReferenceItself() {
    TrainerSettings s = EvaluationTest.settings(Map.of());
    Baselines.Baseline erk =
        Baselines.byName("gmp-cubic-erk", s.maskInterval().toString(), s.referenceEnd().toString());
    Map<String, Object> ref = s.referenceKeys();
    for (String key : ref.keySet()) {
      assertEquals(
          String.valueOf(ref.get(key)),
          String.valueOf(s.engine(1, erk.keys()).toMap().get(key)),
          key);
    }
  }

  @Test
  void everyKnownNameIsAValidEngineMethodAtTheTarget() {
    TrainerSettings s = EvaluationTest.settings(Map.of());
    for (String name : Baselines.names()) {
      Baselines.Baseline b = Baselines.byName(name, "1%", "75%");
      assertEquals(b.keys().get("method"), s.engine(1, b.keys()).method(), name);
      assertTrue(!b.description().isBlank(), name);
    }
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Baselines.byName("lottery", "1%", "75%"));
    for (String known : Baselines.names()) {
      assertTrue(e.getMessage().contains(known), known);
    }
  }
}
