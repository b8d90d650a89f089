package io.jitsparse.cli.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  private static final double EPS = 1e-12;
  private static final List<String> LAYERS = List.of("conv1", "conv2", "fc1");
  private static final List<Long> DECISIONS = List.of(0L, 200L, 400L, 600L, 800L);
  private static final long STEPS = 1000;

  /** A schedule from dense to {@code end}, layer {@code l} a little sparser than layer l-1. */
  private static List<double[]> schedule(double end) {
    List<double[]> rows = new ArrayList<>();
    for (int d = 0; d < DECISIONS.size(); d++) {
      double f = d / (DECISIONS.size() - 1.0);
      double[] row = new double[LAYERS.size()];
      for (int l = 0; l < row.length; l++) {
        row[l] = 1 - f * (1 - end) + (d == 0 ? 0 : -0.01 * l);
      }
      rows.add(row);
    }
    return rows;
  }

  private static SeedResult seed(long seed, double accuracy, double density, double flops) {
    return new SeedResult(seed, accuracy, density, flops, STEPS, DECISIONS, schedule(density));
  }

  private static List<CurvePoint> curve() {
    List<CurvePoint> points = new ArrayList<>();
    for (int e = 0; e < 12; e++) {
      points.add(
          new CurvePoint(
              e, 10.0 * e, "env-" + (e % 2), -1 + 0.1 * e, 0.5 + 0.03 * e, 0.05, 1e12, e));
    }
    return points;
  }

  private static Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("trainers", 2);
    s.put("gamma", 0.99);
    s.put("seeds", List.of(1, 2));
    return s;
  }

  /**
   * Learned: accuracy 0.90 and 0.92 (mean 0.91, sample std sqrt(0.0002)), density 0.05 and 0.07
   * (mean 0.06), FLOPs 2e12 and 4e12 (mean 3e12). gmp-cubic: accuracy 0.80 and 0.86 (mean 0.83, std
   * sqrt(0.0018)), FLOPs 6e12 twice, so the learned method uses 0.5 of its FLOPs.
   */
  private static ReportData fixture() {
    MethodResult learned =
        new MethodResult(
            "learned",
            "policy v12, greedy",
            List.of(seed(1, 0.90, 0.05, 2e12), seed(2, 0.92, 0.07, 4e12)));
    MethodResult gmp =
        new MethodResult(
            "gmp-cubic",
            "gradual magnitude pruning, cubic",
            List.of(seed(1, 0.80, 0.05, 6e12), seed(2, 0.86, 0.05, 6e12)));
    return new ReportData(
        "jitsparse run run-test",
        "lenet5-caffe",
        0.05,
        STEPS,
        LAYERS,
        curve(),
        List.of(learned, gmp),
        settings());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void writesEveryFileNonEmpty(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("report");
    ReportWriter.write(dir, fixture());
    for (String f :
        List.of(
            ReportWriter.COMPARISON_JSON,
            ReportWriter.COMPARISON_CSV,
            ReportWriter.SETTINGS_JSON,
            ReportWriter.CURVE_CSV,
            ReportWriter.CURVE_PNG,
            ReportWriter.SCHEDULE_CSV,
            ReportWriter.SCHEDULE_PNG,
            ReportWriter.DENSITY_PNG,
            ReportWriter.HTML)) {
      Path p = dir.resolve(f);
      assertTrue(Files.isRegularFile(p), f + " missing");
      assertTrue(Files.size(p) > 0, f + " is empty");
    }
  }

  @Test
  void pngsDecodeToTheirSize(@TempDir Path tmp) throws IOException {
    ReportWriter.write(tmp, fixture());
    BufferedImage curve = ImageIO.read(tmp.resolve(ReportWriter.CURVE_PNG).toFile());
    assertNotNull(curve);
    assertEquals(ReportCharts.WIDTH, curve.getWidth());
    assertEquals(2 * ReportCharts.HEIGHT, curve.getHeight(), "return above accuracy");
    for (String f : List.of(ReportWriter.SCHEDULE_PNG, ReportWriter.DENSITY_PNG)) {
      BufferedImage img = ImageIO.read(tmp.resolve(f).toFile());
      assertNotNull(img, f);
      assertEquals(ReportCharts.WIDTH, img.getWidth(), f);
      assertEquals(ReportCharts.HEIGHT, img.getHeight(), f);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void comparisonJsonHasTheMeansAndStandardDeviations(@TempDir Path tmp) throws IOException {
    ReportWriter.write(tmp, fixture());
    List<Map<String, Object>> c = ReportReader.comparison(tmp);
    assertEquals(2, c.size());

    Map<String, Object> learned = c.get(0);
    assertEquals("learned", learned.get("method"));
    assertEquals("policy v12, greedy", learned.get("description"));
    assertEquals(0.91, (double) learned.get("test_accuracy"), EPS);
    assertEquals(Math.sqrt(0.0002), (double) learned.get("test_accuracy_std"), EPS);
    assertEquals(List.of(1, 2), learned.get("seeds"));
    assertEquals(0.06, (double) learned.get("global_density"), EPS);
    assertEquals(3e12, (double) learned.get("training_flops"), 1);
    assertEquals(0.5, (double) learned.get("training_flops_vs_baseline"), EPS);
    assertEquals("gmp-cubic", learned.get("baseline"));
    assertEquals(1000, ((Number) learned.get("steps")).longValue());
    List<Map<String, Object>> perSeed = (List<Map<String, Object>>) learned.get("per_seed");
    assertEquals(2, perSeed.size());
    assertEquals(2, ((Number) perSeed.get(1).get("seed")).intValue());
    assertEquals(0.92, (double) perSeed.get(1).get("test_accuracy"), EPS);
    assertEquals(0.07, (double) perSeed.get(1).get("global_density"), EPS);
    assertEquals(4e12, (double) perSeed.get(1).get("training_flops"), 1);

    Map<String, Object> gmp = c.get(1);
    assertEquals("gmp-cubic", gmp.get("method"));
    assertEquals(0.83, (double) gmp.get("test_accuracy"), EPS);
    assertEquals(Math.sqrt(0.0018), (double) gmp.get("test_accuracy_std"), EPS);
    assertEquals(6e12, (double) gmp.get("training_flops"), 1);
    assertEquals(1.0, (double) gmp.get("training_flops_vs_baseline"), EPS);
  }

  @Test
  void csvFilesHaveARowPerMethodSeedEpisodeAndDecision(@TempDir Path tmp) throws IOException {
    ReportWriter.write(tmp, fixture());
    List<String> comparison = Files.readAllLines(tmp.resolve(ReportWriter.COMPARISON_CSV));
    assertEquals(
        "method,seed,test_accuracy,global_density,training_flops,steps", comparison.get(0));
    assertEquals(1 + 2 * 2, comparison.size());
    assertEquals("gmp-cubic,2,0.86,0.05,6.0E12,1000", comparison.get(4));

    List<String> curve = Files.readAllLines(tmp.resolve(ReportWriter.CURVE_CSV));
    assertEquals(1 + 12, curve.size());
    assertTrue(curve.get(12).startsWith("11,110.0,env-1,"), curve.get(12));

    List<String> schedule = Files.readAllLines(tmp.resolve(ReportWriter.SCHEDULE_CSV));
    assertEquals("step,layer,density", schedule.get(0));
    assertEquals(1 + LAYERS.size() * DECISIONS.size(), schedule.size());
    assertEquals("0,conv1,1.0", schedule.get(1));
    assertTrue(schedule.get(schedule.size() - 1).startsWith("800,fc1,"));
  }

  @Test
  void htmlShowsTheMethodsAndAHeatmapCellPerLayerAndDecision(@TempDir Path tmp) throws IOException {
    ReportWriter.write(tmp, fixture());
    String html = read(tmp.resolve(ReportWriter.HTML));
    assertTrue(html.contains("<td>learned</td>"), html);
    assertTrue(html.contains("<td>gmp-cubic</td>"), html);
    assertTrue(html.contains("91.00 ± 1.41 %"), "accuracy mean ± std in percent");
    assertTrue(html.contains("3.00×10<sup>12</sup>"), "FLOPs in scientific notation");
    assertTrue(html.contains("0.50×"), "FLOPs relative to gmp-cubic");
    assertEquals(LAYERS.size() * DECISIONS.size(), count(html, "<td class=\"cell\""));
    for (String layer : LAYERS) {
      assertTrue(html.contains("<tr><th>" + layer + "</th><td class=\"cell\""), layer);
    }
    for (String png :
        List.of(ReportWriter.CURVE_PNG, ReportWriter.SCHEDULE_PNG, ReportWriter.DENSITY_PNG)) {
      assertTrue(html.contains("<img src=\"" + png + "\""), png);
    }
    assertFalse(html.contains("<script"), "self-contained: no script");
    assertFalse(html.contains("<link"), "self-contained: no external style sheet");
    assertFalse(html.contains("http://") || html.contains("https://"), "nothing fetched");
    // The unweighted mean is not the global density: the page says so.
    assertTrue(html.contains("unweighted mean"), html);
  }

  @Test
  void textIsEscaped(@TempDir Path tmp) throws IOException {
    String evil = "<script>alert('x & y')</script>";
    ReportData base = fixture();
    MethodResult m = base.methods().get(1);
    Map<String, Object> settings = new LinkedHashMap<>(base.settings());
    settings.put(evil, evil);
    ReportData data =
        new ReportData(
            evil,
            evil,
            base.targetDensity(),
            base.episodeSteps(),
            List.of("conv1", evil, "fc1"),
            base.curve(),
            List.of(base.methods().get(0), new MethodResult(evil, evil, m.seeds())),
            settings);
    ReportWriter.write(tmp, data);
    String html = read(tmp.resolve(ReportWriter.HTML));
    assertFalse(html.contains("<script"), "unescaped script tag");
    assertFalse(html.contains("alert('x"), "unescaped quote");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x &amp; y&#39;)&lt;/script&gt;"), html);
    assertTrue(html.contains("<title>&lt;script&gt;"), "title escaped");
    assertEquals(evil, ReportReader.comparison(tmp).get(1).get("method"), "JSON keeps the text");
  }

  @Test
  @SuppressWarnings("unchecked")
  void nanAccuracyIsWrittenAsNull(@TempDir Path tmp) throws IOException {
    ReportData base = fixture();
    MethodResult learned =
        new MethodResult(
            "learned",
            "diverged on seed 1",
            List.of(
                seed(1, Double.NaN, 0.05, Double.POSITIVE_INFINITY), seed(2, 0.92, 0.07, 4e12)));
    ReportData data =
        new ReportData(
            base.title(),
            base.model(),
            base.targetDensity(),
            base.episodeSteps(),
            base.layerNames(),
            base.curve(),
            List.of(learned, base.methods().get(1)),
            Map.of("nan", Double.NaN));
    ReportWriter.write(tmp, data);

    String text = read(tmp.resolve(ReportWriter.COMPARISON_JSON));
    assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
    // A strict parser (Jackson's default rejects NaN tokens) reads it.
    JsonNode strict = new ObjectMapper().readTree(text);
    assertTrue(strict.get(0).get("test_accuracy").isNull());
    assertTrue(strict.get(0).get("per_seed").get(0).get("test_accuracy").isNull());
    assertTrue(strict.get(0).get("per_seed").get(0).get("training_flops").isNull());
    assertEquals(0.92, strict.get(0).get("per_seed").get(1).get("test_accuracy").asDouble(), EPS);
    new ObjectMapper().readTree(tmp.resolve(ReportWriter.SETTINGS_JSON).toFile());

    Map<String, Object> first = ReportReader.comparison(tmp).get(0);
    assertTrue(first.containsKey("test_accuracy"));
    assertNull(first.get("test_accuracy"));
    List<Map<String, Object>> perSeed = (List<Map<String, Object>>) first.get("per_seed");
    assertNull(perSeed.get(0).get("test_accuracy"));

    String html = read(tmp.resolve(ReportWriter.HTML));
    assertTrue(html.contains("<td class=\"num\">n/a</td>"), "NaN accuracy shown as n/a");
    List<String> csv = Files.readAllLines(tmp.resolve(ReportWriter.COMPARISON_CSV));
    assertEquals("learned,1,,0.05,,1000", csv.get(1), "missing values as empty fields");
  }

  @Test
  void evaluationOfBaselinesOnlyOmitsCurveAndSchedule(@TempDir Path tmp) throws IOException {
    ReportData base = fixture();
    ReportData data =
        new ReportData(
            "jitsparse evaluate",
            base.model(),
            base.targetDensity(),
            base.episodeSteps(),
            base.layerNames(),
            List.of(),
            List.of(base.methods().get(1)),
            Map.of());
    ReportWriter.write(tmp, data);
    for (String f :
        List.of(
            ReportWriter.COMPARISON_JSON,
            ReportWriter.COMPARISON_CSV,
            ReportWriter.DENSITY_PNG,
            ReportWriter.HTML)) {
      assertTrue(Files.size(tmp.resolve(f)) > 0, f);
    }
    for (String f :
        List.of(
            ReportWriter.CURVE_CSV,
            ReportWriter.CURVE_PNG,
            ReportWriter.SCHEDULE_CSV,
            ReportWriter.SCHEDULE_PNG)) {
      assertFalse(Files.exists(tmp.resolve(f)), f + " written without data");
    }
    String html = read(tmp.resolve(ReportWriter.HTML));
    assertTrue(html.contains("No learning curve"), html);
    assertTrue(html.contains("No learned schedule"), html);
    assertFalse(html.contains("class=\"cell\""), "no heatmap");
    assertFalse(html.contains(ReportWriter.CURVE_PNG), "no link to a missing image");
    assertTrue(html.contains("<td class=\"num\">1.00×</td>"), "the baseline is its own reference");
    assertEquals(1, ReportReader.comparison(tmp).size());
  }

  @Test
  void curveWithoutAnyFiniteAccuracyIsStillDrawn(@TempDir Path tmp) throws IOException {
    ReportData base = fixture();
    List<CurvePoint> curve = new ArrayList<>();
    for (CurvePoint p : base.curve()) {
      curve.add(
          new CurvePoint(
              p.episode(),
              p.elapsedSeconds(),
              p.trainerId(),
              p.episodeReturn(),
              Double.NaN,
              p.globalDensity(),
              p.trainingFlops(),
              p.policyVersion()));
    }
    ReportData data =
        new ReportData(
            base.title(),
            base.model(),
            base.targetDensity(),
            base.episodeSteps(),
            base.layerNames(),
            curve,
            base.methods(),
            base.settings());
    ReportWriter.write(tmp, data);
    BufferedImage img = ImageIO.read(tmp.resolve(ReportWriter.CURVE_PNG).toFile());
    assertEquals(2 * ReportCharts.HEIGHT, img.getHeight());
  }

  @Test
  void emptyComparisonStillWritesAPage(@TempDir Path tmp) throws IOException {
    ReportData base = fixture();
    ReportData data =
        new ReportData("empty", "m", 0.1, 10, base.layerNames(), List.of(), List.of(), Map.of());
    ReportWriter.write(tmp, data);
    assertEquals(List.of(), ReportReader.comparison(tmp));
    assertFalse(Files.exists(tmp.resolve(ReportWriter.DENSITY_PNG)));
    String html = read(tmp.resolve(ReportWriter.HTML));
    assertTrue(html.contains("No method was evaluated"), html);
    assertTrue(html.contains("No density plot"), html);
  }

  @Test
  void scheduleNotMatchingTheLayersIsRejectedBeforeWriting(@TempDir Path tmp) {
    ReportData base = fixture();
    SeedResult bad =
        new SeedResult(1, 0.9, 0.05, 1e12, STEPS, List.of(0L), List.of(new double[] {1.0, 1.0}));
    ReportData data =
        new ReportData(
            base.title(),
            base.model(),
            base.targetDensity(),
            base.episodeSteps(),
            base.layerNames(),
            base.curve(),
            List.of(new MethodResult("learned", "", List.of(bad))),
            base.settings());
    Path dir = tmp.resolve("report");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReportWriter.write(dir, data));
    assertTrue(e.getMessage().contains("2 densities for 3 layers"), e.getMessage());
    assertFalse(Files.exists(dir), "nothing written");
  }

  @Test
  void globalDensityWeighsLayersBySizeWhenKnown(@TempDir Path tmp) throws IOException {
    ReportData base = fixture();
    ReportData sized =
        new ReportData(
            base.title(),
            base.model(),
            base.targetDensity(),
            base.episodeSteps(),
            base.layerNames(),
            base.curve(),
            base.methods(),
            base.settings(),
            List.of(100L, 300L, 600L));
    assertEquals(0.1 * 1 + 0.3 * 0.5 + 0.6 * 0, sized.globalDensity(new double[] {1, 0.5, 0}), EPS);
    assertEquals(0.5, base.globalDensity(new double[] {1, 0.5, 0}), EPS);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ReportData(
                "t", "m", 0.1, 10, LAYERS, List.of(), List.of(), Map.of(), List.of(1L, 2L)));

    ReportWriter.write(tmp, sized);
    String html = read(tmp.resolve(ReportWriter.HTML));
    assertFalse(html.contains("unweighted mean"), "sizes known: the real global density");
    assertTrue(html.contains("conv1 (100 weights)"), html);
  }

  @Test
  void movingAverageIsTheTrailingMeanOfFiniteValues() {
    List<CurvePoint> points = new ArrayList<>();
    int n = ReportCharts.MOVING_AVERAGE_WINDOW + 5;
    for (int e = 0; e < n; e++) {
      double accuracy = e == 1 ? Double.NaN : e;
      points.add(new CurvePoint(e, e, "t", e, accuracy, 0, 0, 0));
    }
    double[][] ret = ReportCharts.movingAverage(points, CurvePoint::episodeReturn);
    assertEquals(n, ret[0].length);
    assertEquals(0, ret[1][0], EPS);
    assertEquals(0.5, ret[1][1], EPS);
    // The last window holds episodes n - W .. n - 1.
    int w = ReportCharts.MOVING_AVERAGE_WINDOW;
    assertEquals((n - w + n - 1) / 2.0, ret[1][n - 1], EPS);
    double[][] acc = ReportCharts.movingAverage(points, CurvePoint::testAccuracy);
    assertEquals(0, acc[1][1], EPS, "NaN left out of the mean");
  }

  @Test
  void stepLineHoldsEachValueUntilTheNextStep() {
    double[][] line = ReportCharts.stepLine(List.of(0L, 10L), new double[] {1, 0.5}, 20);
    assertArrayEquals(new double[] {0, 10, 10, 20}, line[0], EPS);
    assertArrayEquals(new double[] {1, 1, 0.5, 0.5}, line[1], EPS);
  }
}
