package io.jitsparse.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writes the report of {@code jitsparse run} and {@code jitsparse evaluate} into a folder: the
 * comparison of the methods as JSON and CSV, the learning curve and the learned schedule as CSV,
 * their charts as PNG, and {@code report.html}, one page showing it all.
 *
 * <p>Files whose data is missing are not written: no learning curve for an evaluation, no learned
 * schedule for a comparison of baselines only. The page says why their section is empty.
 */
public final class ReportWriter {

  /** The comparison, one object per method ({@link ReportReader#comparison} reads it back). */
  public static final String COMPARISON_JSON = "comparison.json";

  /** The comparison, one row per method and seed. */
  public static final String COMPARISON_CSV = "comparison.csv";

  /** What the report was made from: model, target density, layers, settings. */
  public static final String SETTINGS_JSON = "settings.json";

  /** The learning curve, one row per learning episode. */
  public static final String CURVE_CSV = "learning-curve.csv";

  /** The learning curve's chart. */
  public static final String CURVE_PNG = "learning-curve.png";

  /** The learned method's first seed's schedule, one row per decision and layer. */
  public static final String SCHEDULE_CSV = "learned-schedule.csv";

  /** The learned schedule's heatmap. */
  public static final String SCHEDULE_PNG = "learned-schedule.png";

  /** Every method's density over training. */
  public static final String DENSITY_PNG = "global-density.png";

  /** The page. */
  public static final String HTML = "report.html";

  private ReportWriter() {}

  /**
   * Writes the report of {@code data} into {@code dir}, creating it; existing report files are
   * replaced.
   *
   * @throws IllegalArgumentException when a schedule does not match the layers or its decision
   *     steps (checked before anything is written)
   */
  public static void write(Path dir, ReportData data) throws IOException {
    check(data);
    Files.createDirectories(dir);
    ReportJson.write(dir.resolve(COMPARISON_JSON), ReportJson.comparison(data));
    ReportJson.write(dir.resolve(SETTINGS_JSON), ReportJson.settings(data));
    ReportCsv.comparison(dir.resolve(COMPARISON_CSV), data.methods());

    boolean curve = !data.curve().isEmpty();
    if (curve) {
      ReportCsv.curve(dir.resolve(CURVE_CSV), data.curve());
      ReportCharts.learningCurve(dir.resolve(CURVE_PNG), data.curve());
    }

    Optional<MethodResult> learned = data.learned();
    Optional<SeedResult> learnedSeed = learned.flatMap(MethodResult::firstSeed);
    boolean schedule = learnedSeed.isPresent() && !learnedSeed.get().decisionSteps().isEmpty();
    if (schedule) {
      ReportCsv.schedule(dir.resolve(SCHEDULE_CSV), data.layerNames(), learnedSeed.get());
      ReportCharts.schedule(
          dir.resolve(SCHEDULE_PNG), data.layerNames(), learned.get(), learnedSeed.get());
    }

    boolean density = ReportCharts.globalDensity(dir.resolve(DENSITY_PNG), data);

    String page = ReportHtml.page(data, new ReportHtml.Images(curve, schedule, density));
    Files.writeString(dir.resolve(HTML), page, StandardCharsets.UTF_8);
  }

  /** Fails on schedules that the charts and tables could not lay out. */
  private static void check(ReportData data) {
    int layers = data.layerNames().size();
    for (MethodResult m : data.methods()) {
      for (SeedResult s : m.seeds()) {
        String where = "method " + m.method() + ", seed " + s.seed() + ": ";
        if (s.schedule().size() != s.decisionSteps().size()) {
          throw new IllegalArgumentException(
              where
                  + s.schedule().size()
                  + " schedule rows for "
                  + s.decisionSteps().size()
                  + " decision steps");
        }
        for (double[] row : s.schedule()) {
          if (row.length != layers) {
            throw new IllegalArgumentException(
                where
                    + "a schedule row has "
                    + row.length
                    + " densities for "
                    + layers
                    + " layers");
          }
        }
      }
    }
  }
}
