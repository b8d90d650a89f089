package io.jitsparse.env.method;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-layer density schedule read from a {@code schedule.csv}, the file every baseline run (and
 * {@code jitsparse baseline --method policy}) writes: the header {@code step,layer,density}, then
 * one row per layer at step 0 and at every later step where the schedule was recorded, for example
 *
 * <pre>
 * step,layer,density
 * 0,conv1/W,1.00000000
 * 0,fc1/W,1.00000000
 * 800,conv1/W,0.81000000
 * 800,fc1/W,0.62000000
 * </pre>
 *
 * Steps never decrease; every recorded step names each prunable layer of the model once (matched by
 * name when the schedule is bound to a network, {@link #densities(List)}); a density is in (0, 1].
 * The layer's density holds from its step until the next recorded one. Reading the file every run
 * writes, rather than a format of its own, lets any recorded run be replayed as it is.
 */
public final class RecordedSchedule {

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  /** The header line (the one {@code io.jitsparse.env.train.ScheduleLog} writes). */
  public static final String HEADER = "step,layer,density";

  /**
   * The densities recorded at one step.
   *
   * @param step the step (optimiser steps completed)
   * @param line the file's line of the step's first row (1-based), for error messages
   * @param densities density by layer name, in file order
   */
  public record Point(long step, int line, Map<String, Double> densities) {}

  private final Path file;
  private final List<Point> points;

  private RecordedSchedule(Path file, List<Point> points) {
    this.file = file;
    this.points = List.copyOf(points);
  }

  /**
   * Reads and checks {@code file}.
   *
   * @throws IllegalArgumentException naming the file, and the line where there is one, when the
   *     file is missing, unreadable or malformed
   */
  public static RecordedSchedule read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such schedule file", e);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IllegalArgumentException(
          file + ": not a text schedule (not UTF-8: a binary file?)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith(BYTE_ORDER_MARK)) {
      // editors on some systems start UTF-8 files with a byte-order mark
      lines.set(0, lines.get(0).substring(BYTE_ORDER_MARK.length()));
    }
    if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
      throw new IllegalArgumentException(file + ": line 1: expected the header '" + HEADER + "'");
    }
    List<Point> points = new ArrayList<>();
    Point current = null;
    for (int n = 1; n < lines.size(); n++) {
      String row = lines.get(n).strip();
      int line = n + 1;
      if (row.isEmpty()) {
        continue;
      }
      String[] f = row.split(",", -1);
      if (f.length != 3) {
        throw bad(file, line, "expected step,layer,density, got '" + row + "'");
      }
      long step;
      double density;
      try {
        step = Long.parseLong(f[0].strip());
        density = Double.parseDouble(f[2].strip());
      } catch (NumberFormatException e) {
        throw bad(file, line, "not a number in '" + row + "'");
      }
      String layer = f[1].strip();
      if (step < 0) {
        throw bad(file, line, "step " + step + " is negative");
      }
      if (layer.isEmpty()) {
        throw bad(file, line, "no layer name");
      }
      if (!(density > 0 && density <= 1)) {
        throw bad(file, line, "density " + f[2].strip() + " is outside (0, 1]");
      }
      if (current != null && step < current.step()) {
        throw bad(file, line, "step " + step + " comes after step " + current.step());
      }
      if (current == null || step > current.step()) {
        current = new Point(step, line, new LinkedHashMap<>());
        points.add(current);
      }
      if (current.densities().put(layer, density) != null) {
        throw bad(file, line, "layer " + layer + " appears twice at step " + step);
      }
    }
    if (points.isEmpty() || points.get(0).step() != 0) {
      throw new IllegalArgumentException(
          file + ": no rows at step 0 (the initial densities every schedule.csv starts with)");
    }
    return new RecordedSchedule(file, points);
  }

  private static IllegalArgumentException bad(Path file, int line, String what) {
    return new IllegalArgumentException(file + ": line " + line + ": " + what);
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** The recorded steps, in order; the first is step 0. */
  public List<Point> points() {
    return points;
  }

  /**
   * The schedule bound to a network: the densities of every recorded step in the order of {@code
   * layers} (outer: the points, inner: the layers).
   *
   * @param layers the network's prunable layer names, in tensor order
   * @throws IllegalArgumentException naming the file and line of a step that does not name exactly
   *     these layers
   */
  public double[][] densities(List<String> layers) {
    double[][] out = new double[points.size()][];
    for (int p = 0; p < points.size(); p++) {
      Point point = points.get(p);
      if (!point.densities().keySet().equals(new HashSet<>(layers))) {
        throw bad(
            file,
            point.line(),
            "step "
                + point.step()
                + " names "
                + point.densities().size()
                + " layers "
                + point.densities().keySet()
                + ", the model has "
                + layers.size()
                + " "
                + layers);
      }
      out[p] = new double[layers.size()];
      for (int i = 0; i < layers.size(); i++) {
        out[p][i] = point.densities().get(layers.get(i));
      }
    }
    return out;
  }
}
