package io.jitsparse.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts, drawn with XChart. */
final class ReportCharts {

  /** Width of every chart. */
  static final int WIDTH = 1000;

  /** Height of one chart; the learning curve stacks two (return above, accuracy below). */
  static final int HEIGHT = 450;

  /**
   * Episodes averaged by the learning curve's trailing moving average: enough to smooth the noise
   * of single episodes, few enough to follow the policy's progress.
   */
  static final int MOVING_AVERAGE_WINDOW = 20;

  /** More trainers than this are drawn as one series: a legend of dozens of ids is unreadable. */
  static final int MAX_TRAINER_SERIES = 8;

  /** Above this many decisions the heatmap's step labels are written vertically. */
  static final int MAX_HORIZONTAL_STEP_LABELS = 12;

  /** At most this many step labels under the heatmap: more overlap even written vertically. */
  static final int MAX_STEP_LABELS = 30;

  private static final int VERTICAL = 90;
  private static final int MARKER_SIZE = 5;
  private static final float AVERAGE_LINE_WIDTH = 2.5f;
  private static final float TARGET_LINE_WIDTH = 1.5f;
  private static final float[] DASH = {6f, 4f};
  private static final Color TARGET_COLOUR = Color.GRAY;
  private static final Color AVERAGE_COLOUR = Color.BLACK;

  static {
    // ImageIO's disk cache registers a JVM shutdown hook on first use, which fails when a report
    // is written while a run stops on Ctrl-C; an in-memory stream needs no hook.
    javax.imageio.ImageIO.setUseCache(false);
  }

  private ReportCharts() {}

  /**
   * {@code learning-curve.png}: episode return (above) and test accuracy (below) per episode, a
   * marker per episode coloured by trainer, and their moving average.
   */
  static void learningCurve(Path png, List<CurvePoint> curve) throws IOException {
    List<CurvePoint> sorted =
        curve.stream().sorted(Comparator.comparingLong(CurvePoint::episode)).toList();
    XYChart returns =
        curveChart(sorted, CurvePoint::episodeReturn, "Episode return", "episode return");
    XYChart accuracy =
        curveChart(sorted, CurvePoint::testAccuracy, "Test accuracy", "test accuracy");
    BitmapEncoder.saveBitmap(
        List.of(returns, accuracy), 2, 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart curveChart(
      List<CurvePoint> sorted, ToDoubleFunction<CurvePoint> value, String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title + " per learning episode")
            .xAxisTitle("episode")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setMarkerSize(MARKER_SIZE);
    Map<String, List<CurvePoint>> byTrainer = new TreeMap<>();
    for (CurvePoint p : sorted) {
      byTrainer.computeIfAbsent(p.trainerId(), k -> new ArrayList<>()).add(p);
    }
    if (byTrainer.size() > MAX_TRAINER_SERIES) {
      byTrainer = Map.of("all " + byTrainer.size() + " trainers", sorted);
    } else {
      Map<String, List<CurvePoint>> named = new TreeMap<>();
      byTrainer.forEach((id, points) -> named.put("trainer " + id, points));
      byTrainer = named;
    }
    boolean any = false;
    for (Map.Entry<String, List<CurvePoint>> e : byTrainer.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (CurvePoint p : e.getValue()) {
        double y = value.applyAsDouble(p);
        if (Double.isFinite(y)) {
          xs.add((double) p.episode());
          ys.add(y);
        }
      }
      if (!xs.isEmpty()) {
        XYSeries s = chart.addSeries(e.getKey(), xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        any = true;
      }
    }
    double[][] average = movingAverage(sorted, value);
    if (average[0].length > 0) {
      XYSeries s =
          chart.addSeries(
              "mean of last " + MOVING_AVERAGE_WINDOW + " episodes", average[0], average[1]);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(AVERAGE_COLOUR);
      s.setLineStyle(new BasicStroke(AVERAGE_LINE_WIDTH));
    }
    if (!any) {
      chart.setTitle(title + ": no finite values");
    }
    return chart;
  }

  /**
   * Trailing mean of the last {@link #MOVING_AVERAGE_WINDOW} episodes' finite values at each
   * episode ({@code [episodes, means]}); the first episodes average what there is so far.
   */
  static double[][] movingAverage(List<CurvePoint> sorted, ToDoubleFunction<CurvePoint> value) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      double sum = 0;
      int n = 0;
      for (int j = Math.max(0, i - MOVING_AVERAGE_WINDOW + 1); j <= i; j++) {
        double v = value.applyAsDouble(sorted.get(j));
        if (Double.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      if (n > 0) {
        xs.add((double) sorted.get(i).episode());
        ys.add(sum / n);
      }
    }
    return new double[][] {
      xs.stream().mapToDouble(Double::doubleValue).toArray(),
      ys.stream().mapToDouble(Double::doubleValue).toArray()
    };
  }

  /**
   * {@code learned-schedule.png}: a heatmap of the density (colour) of each layer (row, first layer
   * on top) at each decision (column, labelled with its training step).
   */
  static void schedule(Path png, List<String> layerNames, MethodResult m, SeedResult seed)
      throws IOException {
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(
                "Learned schedule: density of each layer at each decision ("
                    + m.method()
                    + ", seed "
                    + seed.seed()
                    + ")")
            .xAxisTitle("training step of the decision")
            .yAxisTitle("layer")
            .build();
    int decisions = seed.decisionSteps().size();
    chart
        .getStyler()
        .setMin(0)
        .setMax(1)
        .setRangeColors(DensityScale.anchors())
        // XChart prints every value in one colour, illegible on half of the scale; the report's
        // table prints them in black or white as the cell needs.
        .setShowValue(false)
        .setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setPlotGridLinesVisible(false);
    if (decisions > MAX_HORIZONTAL_STEP_LABELS) {
      chart.getStyler().setXAxisLabelRotation(VERTICAL);
      chart.getStyler().setXAxisMaxLabelCount(MAX_STEP_LABELS);
    }
    // XChart draws the first y category at the bottom: reverse, so layers read top-down as in the
    // model (and in the report's table).
    List<String> rows = new ArrayList<>(layerNames);
    Collections.reverse(rows);
    List<Number[]> cells = new ArrayList<>();
    for (int d = 0; d < decisions; d++) {
      double[] densities = seed.schedule().get(d);
      for (int l = 0; l < layerNames.size(); l++) {
        if (Double.isFinite(densities[l])) {
          cells.add(new Number[] {d, layerNames.size() - 1 - l, densities[l]});
        }
      }
    }
    // Steps as text: XChart would group their digits (1,600) unlike the report's table.
    List<String> steps = seed.decisionSteps().stream().map(String::valueOf).toList();
    chart.addSeries("density", steps, rows, cells);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * {@code global-density.png}: the global density of each method's first seed over training steps
   * (as steps: density holds between decisions) and the target density.
   *
   * @return whether any method had a schedule to draw (nothing is written otherwise)
   */
  static boolean globalDensity(Path png, ReportData data) throws IOException {
    String measure =
        data.hasLayerSizes() ? "global density" : "mean per-layer density (layer sizes unknown)";
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Density over training (first seed of each method)")
            .xAxisTitle("training step")
            .yAxisTitle(measure)
            .build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    long lastStep = 0;
    boolean any = false;
    for (MethodResult m : data.methods()) {
      if (m.firstSeed().isEmpty() || m.firstSeed().get().decisionSteps().isEmpty()) {
        continue;
      }
      SeedResult seed = m.firstSeed().get();
      double[] global = seed.schedule().stream().mapToDouble(data::globalDensity).toArray();
      double[][] line = stepLine(seed.decisionSteps(), global, seed.steps());
      if (line[0].length == 0) {
        continue;
      }
      XYSeries s = chart.addSeries(m.method(), line[0], line[1]);
      s.setMarker(SeriesMarkers.NONE);
      lastStep = Math.max(lastStep, (long) line[0][line[0].length - 1]);
      any = true;
    }
    if (!any) {
      return false;
    }
    if (Double.isFinite(data.targetDensity())) {
      XYSeries target =
          chart.addSeries(
              "target " + data.targetDensity(),
              new double[] {0, lastStep},
              new double[] {data.targetDensity(), data.targetDensity()});
      target.setMarker(SeriesMarkers.NONE);
      target.setLineColor(TARGET_COLOUR);
      target.setLineStyle(
          new BasicStroke(
              TARGET_LINE_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, DASH, 0f));
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return true;
  }

  /**
   * The points of a step line through {@code (steps[i], values[i])}: each value holds until the
   * next step, the last one until {@code lastStep}. Non-finite values are left out.
   */
  static double[][] stepLine(List<Long> steps, double[] values, long lastStep) {
    List<double[]> points = new ArrayList<>();
    double prev = Double.NaN;
    for (int i = 0; i < steps.size(); i++) {
      double x = steps.get(i);
      if (Double.isFinite(prev)) {
        points.add(new double[] {x, prev});
      }
      if (Double.isFinite(values[i])) {
        points.add(new double[] {x, values[i]});
      }
      prev = values[i];
    }
    if (Double.isFinite(prev) && !steps.isEmpty() && steps.get(steps.size() - 1) < lastStep) {
      points.add(new double[] {lastStep, prev});
    }
    return new double[][] {
      points.stream().mapToDouble(p -> p[0]).toArray(),
      points.stream().mapToDouble(p -> p[1]).toArray()
    };
  }
}
