package io.jitsparse.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {

  private static SeedResult seed(long seed, double accuracy, double density) {
    return new SeedResult(
        seed, accuracy, density, 1e12, 100, List.of(0L), List.of(new double[] {1}));
  }

  private static MethodResult method(String name, double density, double... accuracies) {
    return new MethodResult(
        name,
        name,
        List.of(
            seed(1, accuracies[0], density),
            seed(2, accuracies[1], density),
            seed(3, accuracies[2], density)));
  }

  private static ReportData data(MethodResult... methods) {
    return new ReportData("t", "m", 0.05, 100, List.of("l"), List.of(), List.of(methods), Map.of());
  }

  @Test
  void theStrongestBaselineEndsAtTheTargetAndDenseNeverCounts() {
    ReportData d =
        data(
            method("learned", 0.05, 0.86, 0.87, 0.88),
            method("dense", 1.0, 0.91, 0.91, 0.91),
            method("gmp-cubic", 0.05, 0.80, 0.81, 0.82),
            method("gmp-cubic-erk", 0.05, 0.85, 0.86, 0.86),
            // higher, but it did not end at the target: not comparable
            method("stray", 0.2, 0.90, 0.90, 0.90));
    PairedComparison p = PairedComparison.of(d);
    assertEquals("gmp-cubic-erk", p.strongest().orElseThrow().method());
    PairedComparison.Paired learned = p.of(d.methods().get(0)).orElseThrow();
    assertEquals(0.04 / 3, learned.mean(), 1e-9);
    assertEquals(Map.of(1L, 0.01, 2L, 0.01, 3L, 0.02), roundedPerSeed(learned));
    assertTrue(learned.everySeedAhead());
    assertTrue(learned.low() <= learned.mean() && learned.mean() <= learned.high());
    // the interval of three seeds lies within their smallest and largest differences
    assertTrue(learned.low() >= 0.01 - 1e-9 && learned.high() <= 0.02 + 1e-9);
    PairedComparison.Paired self = p.of(d.methods().get(3)).orElseThrow();
    assertEquals(0, self.mean(), 0);
    assertFalse(self.everySeedAhead());
  }

  @Test
  void aLossOnOneSeedIsNotAWinEvenWithAPositiveMean() {
    ReportData d =
        data(
            method("learned", 0.05, 0.90, 0.90, 0.84),
            method("gmp-cubic-erk", 0.05, 0.85, 0.85, 0.85));
    PairedComparison.Paired learned = PairedComparison.of(d).of(d.methods().get(0)).orElseThrow();
    assertTrue(learned.mean() > 0);
    assertFalse(learned.everySeedAhead());
    assertTrue(learned.low() < 0, "the interval should reach below zero: " + learned.low());
    StringBuilder h = new StringBuilder();
    ReportHtml.verdict(h, d);
    assertTrue(h.toString().contains("does <b>not</b> beat"), h.toString());
  }

  @Test
  void theVerdictSaysWinOnlyAtEqualCompute() {
    List<SeedResult> ahead = new java.util.ArrayList<>();
    List<SeedResult> costly = new java.util.ArrayList<>();
    List<SeedResult> reference = new java.util.ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      ahead.add(budgeted(seed, 0.87, 1.00e12));
      costly.add(budgeted(seed, 0.87, 1.10e12));
      reference.add(budgeted(seed, 0.85, 1.00e12));
    }
    MethodResult erk = new MethodResult("gmp-cubic-erk", "reference", reference);
    StringBuilder win = new StringBuilder();
    ReportHtml.verdict(win, data(new MethodResult("learned", "", ahead), erk));
    assertTrue(
        win.toString().contains("beats the strongest baseline at equal compute"), win.toString());
    StringBuilder over = new StringBuilder();
    ReportHtml.verdict(over, data(new MethodResult("learned", "", costly), erk));
    assertTrue(over.toString().contains("does <b>not</b> beat"), over.toString());
  }

  private static SeedResult budgeted(long seed, double accuracy, double trainingFlops) {
    return new SeedResult(
        seed,
        accuracy,
        0.05,
        trainingFlops,
        100,
        List.of(0L),
        List.of(new double[] {1}),
        1e6,
        1e12,
        1e6,
        1000);
  }

  private static Map<Long, Double> roundedPerSeed(PairedComparison.Paired p) {
    Map<Long, Double> out = new java.util.HashMap<>();
    p.perSeed().forEach((k, v) -> out.put(k, Math.round(v * 1e6) / 1e6));
    return out;
  }
}
