package io.jitsparse.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code report.html}: one self-contained page (no scripts, no external fonts or style sheets). Its
 * charts are the PNGs beside it; the learned schedule is also drawn as a coloured table, so that
 * the page shows it even when opened without the PNGs.
 */
final class ReportHtml {

  /** Accuracies are fractions; the page shows them as percentages. */
  private static final double PERCENT = 100;

  private static final int PERCENT_DECIMALS = 2;
  private static final int DENSITY_DECIMALS = 4;
  private static final int CELL_DECIMALS = 2;
  private static final int RATIO_DECIMALS = 2;

  /** Above this many decisions the heatmap's cells are too narrow to print their values. */
  static final int MAX_LABELLED_DECISIONS = 24;

  /** Three significant digits: FLOPs counts are estimates, more digits would be noise. */
  private static final String SCIENTIFIC = "%.2e";

  private static final String NOT_A_NUMBER = "n/a";

  /** FLOPs at most this multiple of the reference's count as equal compute (the bar). */
  static final double EQUAL_COMPUTE = 1.02;

  private static final String STYLE =
      """
      body { font-family: sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
      h1 { font-size: 1.6em; }
      h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
      table { border-collapse: collapse; margin: 0.5em 0; }
      th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      thead th { background: #f0f0f0; }
      img { max-width: 100%; border: 1px solid #eee; }
      .scroll { overflow-x: auto; }
      table.heatmap th, table.heatmap td { padding: 0.15em 0.3em; font-size: 0.8em; }
      table.heatmap td.cell { min-width: 2.2em; height: 1.6em; text-align: center; border: none; }
      .scale { display: flex; align-items: center; gap: 0.5em; margin: 0.5em 0; font-size: 0.9em; }
      .scale .bar { display: inline-block; width: 16em; height: 1em; border: 1px solid #999; }
      .note { color: #555; font-size: 0.9em; }
      """;

  private ReportHtml() {}

  /** Which PNGs were written beside the page. */
  record Images(boolean curve, boolean schedule, boolean density) {}

  /** The page of {@code data}. */
  static String page(ReportData data, Images images) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.append("<title>").append(escape(data.title())).append("</title>\n");
    h.append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    h.append("<h1>").append(escape(data.title())).append("</h1>\n");
    verdict(h, data);
    settings(h, data);
    comparison(h, data);
    curve(h, data, images);
    schedule(h, data, images);
    density(h, data, images);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void settings(StringBuilder h, ReportData data) {
    h.append("<h2>Settings</h2>\n<table class=\"settings\">\n");
    setting(h, "model", data.model());
    setting(h, "target density", number(data.targetDensity()));
    setting(h, "episode steps", Long.toString(data.episodeSteps()));
    setting(h, "layers", layers(data));
    for (Map.Entry<String, Object> e : data.settings().entrySet()) {
      setting(h, e.getKey(), value(e.getValue()));
    }
    h.append("</table>\n");
  }

  private static String layers(ReportData data) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < data.layerNames().size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(data.layerNames().get(i));
      if (data.hasLayerSizes()) {
        b.append(" (").append(data.layerSizes().get(i)).append(" weights)");
      }
    }
    return b.toString();
  }

  private static void setting(StringBuilder h, String name, String value) {
    h.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  /**
   * The report's lead: the learned schedule against the strongest baseline, paired by seed, at the
   * compute each spent relative to the budget reference, and a plain sentence saying whether it
   * wins (a mean gain with every seed ahead, at no more than the reference's FLOPs).
   */
  static void verdict(StringBuilder h, ReportData data) {
    h.append("<h2>Result at equal compute</h2>\n");
    PairedComparison paired = PairedComparison.of(data);
    Optional<MethodResult> learned = data.learned();
    Optional<MethodResult> strongest = paired.strongest();
    if (strongest.isEmpty()) {
      h.append("<p>No baseline ends at the target density, so there is no strongest one.</p>\n");
      return;
    }
    MethodResult best = strongest.get();
    h.append("<p>The strongest handcrafted baseline is <b>")
        .append(escape(best.method()))
        .append("</b> (")
        .append(accuracy(best))
        .append("; ")
        .append(escape(best.description()))
        .append(").</p>\n");
    if (learned.isEmpty()) {
      h.append("<p>No learned schedule was evaluated.</p>\n");
      return;
    }
    MethodResult m = learned.get();
    Optional<PairedComparison.Paired> p = paired.of(m);
    if (p.isEmpty()) {
      h.append("<p>The learned schedule shares no seed with it.</p>\n");
      return;
    }
    PairedComparison.Paired d = p.get();
    double train = m.meanTrainingFlopsVsReference();
    double inference = m.meanInferenceFlopsVsReference();
    boolean withinBudget =
        Double.isFinite(train) && train <= EQUAL_COMPUTE && inference <= EQUAL_COMPUTE;
    boolean wins = d.mean() > 0 && d.everySeedAhead() && withinBudget;
    h.append("<p class=\"verdict\">")
        .append(
            wins
                ? "The learned schedule beats the strongest baseline at equal compute."
                : "The learned schedule does <b>not</b> beat the strongest baseline at equal"
                    + " compute.")
        .append("</p>\n<ul>\n");
    h.append("<li>Paired difference in test accuracy, learned minus ")
        .append(escape(best.method()))
        .append(": <b>")
        .append(points(d.mean()))
        .append("</b> (")
        .append(Math.round(PairedComparison.COVERAGE * PERCENT))
        .append("% bootstrap interval ")
        .append(points(d.low()))
        .append(" to ")
        .append(points(d.high()))
        .append("); per seed ")
        .append(
            escape(
                d.perSeed().entrySet().stream()
                    .map(e -> e.getKey() + ": " + points(e.getValue()))
                    .collect(Collectors.joining(", "))))
        .append(".</li>\n");
    h.append("<li>Training FLOPs ")
        .append(ratio(train))
        .append(" and inference FLOPs ")
        .append(ratio(inference))
        .append(" the budget reference's (cubic GMP with ERK; equal compute is at most ")
        .append(ratio(EQUAL_COMPUTE))
        .append(").</li>\n");
    double bestTrain = best.meanTrainingFlopsVsReference();
    double bestInference = best.meanInferenceFlopsVsReference();
    if (bestTrain > EQUAL_COMPUTE || bestInference > EQUAL_COMPUTE) {
      h.append("<li>The strongest baseline itself is not at equal compute: ")
          .append(ratio(bestTrain))
          .append(" the reference's training FLOPs and ")
          .append(ratio(bestInference))
          .append(" its inference FLOPs.</li>\n");
    }
    h.append("</ul>\n");
  }

  private static String points(double diff) {
    return Double.isFinite(diff)
        ? String.format(Locale.ROOT, "%+.2f points", diff * PERCENT)
        : NOT_A_NUMBER;
  }

  private static void comparison(StringBuilder h, ReportData data) {
    h.append("<h2>Comparison</h2>\n");
    if (data.methods().isEmpty()) {
      h.append("<p>No method was evaluated, so there is nothing to compare.</p>\n");
      return;
    }
    Optional<MethodResult> baseline = data.firstBaseline();
    h.append("<table class=\"comparison\">\n<thead><tr>");
    h.append("<th>method</th><th>description</th><th>test accuracy (mean ± std)</th>");
    h.append("<th>seeds</th><th>steps</th><th>final global density</th><th>training FLOPs</th>");
    h.append("<th>FLOPs vs ")
        .append(baseline.map(b -> escape(b.method())).orElse("baseline"))
        .append("</th><th>training FLOPs vs reference</th><th>inference FLOPs vs reference</th>");
    h.append("<th>paired difference to the strongest baseline</th><th>samples/s</th>");
    h.append("</tr></thead>\n<tbody>\n");
    PairedComparison paired = PairedComparison.of(data);
    for (MethodResult m : data.methods()) {
      h.append("<tr><td>").append(escape(m.method())).append("</td>");
      h.append("<td>").append(escape(m.description())).append("</td>");
      h.append("<td class=\"num\">").append(accuracy(m)).append("</td>");
      h.append("<td>")
          .append(
              escape(
                  m.seedNumbers().stream().map(String::valueOf).collect(Collectors.joining(", "))))
          .append("</td>");
      h.append("<td class=\"num\">").append(m.steps()).append("</td>");
      h.append("<td class=\"num\">")
          .append(fixed(m.meanGlobalDensity(), DENSITY_DECIMALS))
          .append("</td>");
      h.append("<td class=\"num\">").append(scientific(m.meanTrainingFlops())).append("</td>");
      h.append("<td class=\"num\">")
          .append(baseline.map(b -> ratio(ReportJson.relativeFlops(m, b))).orElse(NOT_A_NUMBER))
          .append("</td>");
      h.append("<td class=\"num\">")
          .append(ratio(m.meanTrainingFlopsVsReference()))
          .append("</td>");
      h.append("<td class=\"num\">")
          .append(ratio(m.meanInferenceFlopsVsReference()))
          .append("</td>");
      h.append("<td class=\"num\">")
          .append(
              paired
                  .of(m)
                  .map(
                      d ->
                          points(d.mean()) + " [" + points(d.low()) + ", " + points(d.high()) + "]")
                  .orElse(NOT_A_NUMBER))
          .append("</td>");
      h.append("<td class=\"num\">")
          .append(fixed(m.meanSamplesPerSecond(), 0))
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
    h.append("<p class=\"note\">Means over seeds; the standard deviation is the sample one. ");
    if (baseline.isPresent()) {
      h.append("Relative FLOPs divide each method's mean training FLOPs by those of ")
          .append(escape(baseline.get().method()))
          .append(", the first baseline.");
    } else {
      h.append("There is no baseline to relate training FLOPs to.");
    }
    h.append("</p>\n");
  }

  private static void curve(StringBuilder h, ReportData data, Images images) {
    h.append("<h2>Learning curve</h2>\n");
    if (!images.curve()) {
      h.append(
          "<p>No learning curve: no learning episode was recorded (an evaluation of a trained"
              + " policy, such as <code>jitsparse evaluate</code>, does not learn).</p>\n");
      return;
    }
    h.append(
        "<p>Return and test accuracy of each learning episode ("
            + data.curve().size()
            + " episodes), by trainer, with their mean over the last "
            + ReportCharts.MOVING_AVERAGE_WINDOW
            + " episodes. Data: <a href=\""
            + ReportWriter.CURVE_CSV
            + "\">"
            + ReportWriter.CURVE_CSV
            + "</a>.</p>\n");
    image(h, ReportWriter.CURVE_PNG, "Episode return and test accuracy per learning episode");
  }

  private static void schedule(StringBuilder h, ReportData data, Images images) {
    h.append("<h2>Learned schedule</h2>\n");
    Optional<MethodResult> learned = data.learned();
    if (learned.isEmpty()) {
      h.append(
          "<p>No learned schedule: the comparison has no <code>"
              + MethodResult.LEARNED
              + "</code> method (baselines only).</p>\n");
      return;
    }
    Optional<SeedResult> seed = learned.get().firstSeed();
    if (seed.isEmpty() || seed.get().decisionSteps().isEmpty()) {
      h.append("<p>No learned schedule: the learned method recorded no decision.</p>\n");
      return;
    }
    SeedResult s = seed.get();
    h.append("<p>Density (fraction of weights kept) that the learned policy set for each layer")
        .append(" at each decision, seed ")
        .append(s.seed())
        .append(". Data: <a href=\"")
        .append(ReportWriter.SCHEDULE_CSV)
        .append("\">")
        .append(ReportWriter.SCHEDULE_CSV)
        .append("</a>.</p>\n");
    if (images.schedule()) {
      image(h, ReportWriter.SCHEDULE_PNG, "Heatmap of the learned per-layer densities");
    }
    heatmap(h, data.layerNames(), s);
  }

  /** The schedule as a table of coloured cells: a row per layer, a column per decision. */
  private static void heatmap(StringBuilder h, List<String> layerNames, SeedResult s) {
    int decisions = s.decisionSteps().size();
    boolean labelled = decisions <= MAX_LABELLED_DECISIONS;
    h.append(
        "<div class=\"scroll\">\n<table class=\"heatmap\">\n<thead><tr><th>layer \\ step</th>");
    for (long step : s.decisionSteps()) {
      h.append("<th>").append(step).append("</th>");
    }
    h.append("</tr></thead>\n<tbody>\n");
    for (int l = 0; l < layerNames.size(); l++) {
      h.append("<tr><th>").append(escape(layerNames.get(l))).append("</th>");
      for (int d = 0; d < decisions; d++) {
        double v = s.schedule().get(d)[l];
        Color bg = DensityScale.colour(v);
        h.append("<td class=\"cell\" style=\"background:")
            .append(DensityScale.css(bg))
            .append(";color:")
            .append(DensityScale.css(DensityScale.text(bg)))
            .append("\" title=\"")
            .append(escape(layerNames.get(l)))
            .append(", step ")
            .append(s.decisionSteps().get(d))
            .append(": ")
            .append(Double.isFinite(v) ? Double.toString(v) : NOT_A_NUMBER)
            .append("\">")
            .append(labelled ? fixed(v, CELL_DECIMALS) : "")
            .append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n</div>\n");
    h.append("<div class=\"scale\">density <span>0</span><span class=\"bar\" style=\"background:")
        .append("linear-gradient(to right");
    for (Color c : DensityScale.anchors()) {
      h.append(", ").append(DensityScale.css(c));
    }
    h.append(")\"></span><span>1</span></div>\n");
  }

  private static void density(StringBuilder h, ReportData data, Images images) {
    h.append("<h2>Density over training</h2>\n");
    if (!images.density()) {
      h.append("<p>No density plot: no method recorded a schedule.</p>\n");
      return;
    }
    if (data.hasLayerSizes()) {
      h.append(
          "<p>Global density (fraction of all prunable weights kept) of each method's first"
              + " seed over training steps; the dashed line is the target.</p>\n");
    } else {
      h.append(
          "<p>Mean of the per-layer densities of each method's first seed over training steps;"
              + " the dashed line is the target. The layer sizes were not given, so this is the"
              + " unweighted mean over layers, not the global density.</p>\n");
    }
    image(h, ReportWriter.DENSITY_PNG, "Density over training steps per method");
  }

  private static void image(StringBuilder h, String file, String alt) {
    h.append("<p><img src=\"")
        .append(file)
        .append("\" alt=\"")
        .append(escape(alt))
        .append("\"></p>\n");
  }

  private static String accuracy(MethodResult m) {
    double mean = m.meanTestAccuracy();
    if (!Double.isFinite(mean)) {
      return NOT_A_NUMBER;
    }
    String s = fixed(mean * PERCENT, PERCENT_DECIMALS);
    if (m.seeds().size() > 1) {
      s += " ± " + fixed(m.stdTestAccuracy() * PERCENT, PERCENT_DECIMALS);
    }
    return s + " %";
  }

  /** {@code 1.23×10<sup>12</sup>}: three significant digits. */
  static String scientific(double v) {
    if (!Double.isFinite(v)) {
      return NOT_A_NUMBER;
    }
    if (v == 0) {
      return "0";
    }
    String[] parts = String.format(Locale.ROOT, SCIENTIFIC, v).split("e");
    return parts[0] + "×10<sup>" + Integer.parseInt(parts[1]) + "</sup>";
  }

  private static String ratio(double v) {
    return Double.isFinite(v) ? fixed(v, RATIO_DECIMALS) + "×" : NOT_A_NUMBER;
  }

  private static String fixed(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : NOT_A_NUMBER;
  }

  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : NOT_A_NUMBER;
  }

  /** A setting's value: text as it is, anything else as compact JSON. */
  private static String value(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number n && !Double.isFinite(n.doubleValue())) {
      return NOT_A_NUMBER;
    }
    try {
      return ReportJson.MAPPER
          .writer()
          .without(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(v);
    } catch (JsonProcessingException e) {
      return String.valueOf(v);
    }
  }

  /** {@code s} with the characters that HTML gives a meaning escaped; null as empty. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
