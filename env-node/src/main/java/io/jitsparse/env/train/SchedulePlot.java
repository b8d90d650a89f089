package io.jitsparse.env.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a run's per-layer density over training steps as a PNG ({@code schedule.png}). */
public final class SchedulePlot {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;

  static {
    // ImageIO's disk cache registers a JVM shutdown hook on first use, which fails when the plot
    // is written while a run stops on Ctrl-C; an in-memory stream needs no hook.
    javax.imageio.ImageIO.setUseCache(false);
  }

  private SchedulePlot() {}

  /**
   * Writes the plot of {@code rows} to {@code png}, one step line per layer (density holds between
   * logged steps, so the lines are drawn as steps).
   *
   * @param lastStep the run's last step, where every line ends
   */
  public static void write(List<ScheduleLog.Row> rows, long lastStep, String title, Path png)
      throws IOException {
    Map<String, List<double[]>> byLayer = new LinkedHashMap<>();
    for (ScheduleLog.Row r : rows) {
      byLayer
          .computeIfAbsent(r.layer(), k -> new ArrayList<>())
          .add(new double[] {r.step(), r.density()});
    }
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("training step")
            .yAxisTitle("density")
            .build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    for (Map.Entry<String, List<double[]>> e : byLayer.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      double prev = Double.NaN;
      for (double[] p : e.getValue()) {
        if (!Double.isNaN(prev)) {
          xs.add(p[0]);
          ys.add(prev);
        }
        xs.add(p[0]);
        ys.add(p[1]);
        prev = p[1];
      }
      if (!xs.isEmpty() && xs.get(xs.size() - 1) < lastStep) {
        xs.add((double) lastStep);
        ys.add(prev);
      }
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      s.setMarker(SeriesMarkers.NONE);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
