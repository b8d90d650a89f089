package io.jitsparse.cli.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The report's CSV files. Numbers that are not finite are written as empty fields, the usual
 * spelling of a missing value for spreadsheets, pandas and R alike.
 */
final class ReportCsv {

  private static final String NEWLINE = "\n";

  private ReportCsv() {}

  /** {@code comparison.csv}: one row per method and seed. */
  static void comparison(Path file, List<MethodResult> methods) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("method,seed,test_accuracy,global_density,training_flops,steps" + NEWLINE);
      for (MethodResult m : methods) {
        for (SeedResult s : m.seeds()) {
          row(
              w,
              text(m.method()),
              Long.toString(s.seed()),
              number(s.testAccuracy()),
              number(s.globalDensity()),
              number(s.trainingFlops()),
              Long.toString(s.steps()));
        }
      }
    }
  }

  /** {@code learning-curve.csv}: one row per finished learning episode, in the given order. */
  static void curve(Path file, List<CurvePoint> curve) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(
          "episode,elapsed_seconds,trainer,episode_return,test_accuracy,global_density,"
              + "training_flops,policy_version"
              + NEWLINE);
      for (CurvePoint p : curve) {
        row(
            w,
            Long.toString(p.episode()),
            number(p.elapsedSeconds()),
            text(p.trainerId()),
            number(p.episodeReturn()),
            number(p.testAccuracy()),
            number(p.globalDensity()),
            number(p.trainingFlops()),
            Long.toString(p.policyVersion()));
      }
    }
  }

  /** {@code learned-schedule.csv}: a row per decision and layer, like a run's schedule.csv. */
  static void schedule(Path file, List<String> layerNames, SeedResult seed) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("step,layer,density" + NEWLINE);
      for (int d = 0; d < seed.decisionSteps().size(); d++) {
        double[] densities = seed.schedule().get(d);
        for (int l = 0; l < layerNames.size(); l++) {
          row(
              w,
              Long.toString(seed.decisionSteps().get(d)),
              text(layerNames.get(l)),
              number(densities[l]));
        }
      }
    }
  }

  private static void row(Writer w, String... fields) throws IOException {
    w.write(String.join(",", fields));
    w.write(NEWLINE);
  }

  /** Shortest exact decimal of {@code v} (Double.toString never uses the locale). */
  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "";
  }

  /** A text field, quoted (RFC 4180) when it holds a separator, a quote or a line break. */
  static String text(String s) {
    if (s == null) {
      return "";
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
