package io.jitsparse.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.cli.report.MethodResult;
import io.jitsparse.cli.report.ReportData;
import io.jitsparse.cli.report.SeedResult;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.trainer.TrainerSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A short real evaluation of the default baselines: lenet5-caffe, 40 steps, two seeds. */
class EvaluationTest {

  private static final double TARGET = 0.1;
  private static final long STEPS = 40;
  private static final long INTERVAL = 10;

  /** Short episodes on a small slice of the real data. */
  static TrainerSettings settings(Map<String, Object> overrides) {
    Map<String, Object> paths = new HashMap<>();
    paths.put(TrainerSettings.PATH + ".model", "lenet5-caffe");
    paths.put(TrainerSettings.PATH + ".density", TARGET);
    paths.put(TrainerSettings.PATH + ".episode-steps", STEPS);
    paths.put(TrainerSettings.PATH + ".decision-interval", INTERVAL);
    paths.put(TrainerSettings.PATH + ".train-samples", 2048);
    paths.put(TrainerSettings.PATH + ".test-samples", 500);
    paths.put(TrainerSettings.PATH + ".validation-samples", 200);
    overrides.forEach((k, v) -> paths.put(TrainerSettings.PATH + "." + k, v));
    return TrainerSettings.create(
        ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()).resolve());
  }

  /** The real Fashion-MNIST; skipped where it is absent, except under {@code CI=true}. */
  static FashionMnist data() {
    boolean present = FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR);
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(present, "dataset-fashion-mnist is not installed");
    }
    return new FashionMnistLocator(Path.of("target/no-project-data"), s -> {}).load(null);
  }

  @Test
  void everyBaselineEndsAtTheTargetOnTheSameSeedsAndGmpPaysForStartingDense() {
    TrainerSettings s = settings(Map.of());
    StringWriter lines = new StringWriter();
    Evaluation evaluation =
        new Evaluation(s, List.of(1L, 2L), null, List.of(Baselines.DEFAULTS.split(",")));

    ReportData report = evaluation.run(data(), new PrintWriter(lines, true));

    assertEquals("lenet5-caffe", report.model());
    assertEquals(TARGET, report.targetDensity());
    assertEquals(STEPS, report.episodeSteps());
    assertEquals(4, report.layerNames().size(), "" + report.layerNames());
    assertTrue(report.curve().isEmpty());
    assertEquals(List.of(1L, 2L), report.settings().get("seeds"));
    assertEquals(
        List.of("gmp-cubic-erk", "gmp-cubic-global", "gmp-cubic", "dst-cosine", "static-erk"),
        report.methods().stream().map(MethodResult::method).toList());
    for (MethodResult m : report.methods()) {
      assertEquals(List.of(1L, 2L), m.seeds().stream().map(SeedResult::seed).toList());
      for (SeedResult r : m.seeds()) {
        String what = m.method() + " seed " + r.seed();
        assertEquals(TARGET, r.globalDensity(), 1e-3, what);
        assertTrue(r.testAccuracy() >= 0 && r.testAccuracy() <= 1, what);
        assertTrue(r.trainingFlops() > 0, what);
        assertEquals(STEPS, r.steps(), what);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L), r.decisionSteps(), what);
        assertEquals(5, r.schedule().size(), what);
        for (double[] row : r.schedule()) {
          assertEquals(4, row.length, what);
        }
      }
    }
    MethodResult gmp = report.methods().get(2);
    MethodResult staticErk = report.methods().get(4);
    // the budget reference is gmp-cubic-erk itself: its FLOPs are the reference's
    MethodResult erk = report.methods().get(0);
    assertEquals(1.0, erk.meanTrainingFlopsVsReference(), 1e-4);
    // whole weights per layer: the masks round the reference's densities
    assertEquals(1.0, erk.meanInferenceFlopsVsReference(), 1e-4);
    for (double d : gmp.seeds().get(0).schedule().get(0)) {
      assertEquals(1.0, d, "gmp starts dense");
    }
    assertTrue(
        staticErk.meanTrainingFlops() < gmp.meanTrainingFlops(),
        "static " + staticErk.meanTrainingFlops() + " vs gmp " + gmp.meanTrainingFlops());

    String[] progress =
        lines.toString().strip().lines().filter(l -> l.contains("elapsed")).toArray(String[]::new);
    assertEquals(10, progress.length, lines.toString());
    assertTrue(progress[0].startsWith("[1/10] gmp-cubic-erk seed 1"), progress[0]);
    assertTrue(progress[9].startsWith("[10/10] static-erk seed 2"), progress[9]);
    for (String line : progress) {
      assertTrue(line.contains("elapsed") && line.contains("ETA"), line);
    }
  }

  @Test
  void badInputIsRejectedBeforeAnyTraining() {
    TrainerSettings s = settings(Map.of());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Evaluation(s, List.of(1L), null, List.of("gmp-cubic", "lottery")));
    assertTrue(unknown.getMessage().contains("lottery"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("dst-cosine-set"), "lists the known names");
    IllegalArgumentException noSeeds =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Evaluation(s, List.of(), null, List.of("static-erk")));
    assertTrue(noSeeds.getMessage().contains("--seeds"), noSeeds.getMessage());
    IllegalArgumentException nothing =
        assertThrows(
            IllegalArgumentException.class, () -> new Evaluation(s, List.of(1L), null, List.of()));
    assertTrue(nothing.getMessage().contains("--policy"), nothing.getMessage());
  }
}
