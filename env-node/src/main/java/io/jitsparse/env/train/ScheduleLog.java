package io.jitsparse.env.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-layer schedule of a run in long format, {@code schedule.csv}: {@code step,layer,density},
 * a row per layer at step 0 and at every mask change. Rows are flushed as they are written so that
 * a stopped run keeps its schedule; a resumed run appends.
 */
public final class ScheduleLog implements AutoCloseable {

  /** The file's header line. */
  public static final String HEADER = "step,layer,density";

  private final BufferedWriter out;
  private final Path file;
  private final List<String> layers;
  private final List<Row> rows = new ArrayList<>();

  /** One row. */
  public record Row(long step, String layer, double density) {}

  /**
   * Opens {@code file}; creates it with a header, or appends when {@code append} and it exists.
   *
   * @param layers layer names, in tensor order
   */
  public ScheduleLog(Path file, List<String> layers, boolean append) {
    this.layers = List.copyOf(layers);
    this.file = file;
    try {
      boolean exists = Files.exists(file);
      if (append && exists) {
        rows.addAll(read(file));
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      } else {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(HEADER);
        out.newLine();
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Adds a row per layer at {@code step}. */
  public void log(long step, double[] densities) {
    try {
      for (int i = 0; i < densities.length; i++) {
        Row r = new Row(step, layers.get(i), densities[i]);
        rows.add(r);
        out.write(String.format(Locale.ROOT, "%d,%s,%.8f", r.step, r.layer, r.density));
        out.newLine();
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Every row written so far (including rows of the run this one resumed). */
  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /**
   * Reads a schedule file.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed row
   */
  public static List<Row> read(Path file) throws IOException {
    List<Row> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      try {
        out.add(new Row(Long.parseLong(f[0]), f[1], Double.parseDouble(f[2])));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            file + ": line " + (n + 1) + " is malformed: " + line, e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
