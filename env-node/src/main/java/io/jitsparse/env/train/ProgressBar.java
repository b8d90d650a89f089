package io.jitsparse.env.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar with rate and ETA: redrawn in place on a terminal, a periodic line otherwise
 * (logs, CI).
 */
public final class ProgressBar {

  private static final int BAR_WIDTH = 30;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long TERMINAL_REDRAW_NANOS = 200_000_000L;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean terminal;
  private final long lineIntervalNanos;
  private final long startNanos = System.nanoTime();
  private final long startCount;
  private long lastPrint;

  /**
   * @param out where to draw
   * @param label what is counted (for example "steps")
   * @param total the count at completion
   * @param startCount the count at start (a resumed run starts above zero)
   * @param lineSeconds seconds between lines when not on a terminal
   */
  public ProgressBar(
      PrintStream out, String label, long total, long startCount, double lineSeconds) {
    this.out = out;
    this.label = label;
    this.total = total;
    this.startCount = startCount;
    this.terminal = System.console() != null;
    this.lineIntervalNanos = (long) (lineSeconds * NANOS_PER_SECOND);
    this.lastPrint = startNanos;
  }

  /** Reports progress; draws when due. {@code detail} is appended (loss, accuracy, ...). */
  public void update(long count, double samplesPerUnit, String detail) {
    update(count, samplesPerUnit, () -> detail);
  }

  /**
   * Reports progress as {@link #update(long, double, String)} does, building the detail only when a
   * line is drawn: a training loop calls this every step, and formatting a line it does not draw
   * costs a noticeable share of a small network's step.
   */
  public void update(
      long count, double samplesPerUnit, java.util.function.Supplier<String> detail) {
    long now = System.nanoTime();
    boolean done = count >= total;
    long interval = terminal ? TERMINAL_REDRAW_NANOS : lineIntervalNanos;
    if (!done && now - lastPrint < interval) {
      return;
    }
    lastPrint = now;
    double seconds = (now - startNanos) / (double) NANOS_PER_SECOND;
    double rate = seconds > 0 ? (count - startCount) / seconds : 0;
    double eta = rate > 0 ? (total - count) / rate : Double.NaN;
    int filled = (int) Math.round(BAR_WIDTH * (double) count / Math.max(1, total));
    String bar =
        "#".repeat(Math.min(BAR_WIDTH, filled)) + ".".repeat(Math.max(0, BAR_WIDTH - filled));
    String line =
        String.format(
            Locale.ROOT,
            "[%s] %3.0f%% %d/%d %s  %.1f %s/s  %.0f samples/s  ETA %s  %s",
            bar,
            100.0 * count / Math.max(1, total),
            count,
            total,
            label,
            rate,
            label,
            rate * samplesPerUnit,
            formatDuration(eta),
            detail.get());
    if (terminal) {
      out.print("\r" + line + (done ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Formats seconds as {@code 1h02m03s}, {@code 4m05s} or {@code 6s}. */
  public static String formatDuration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s % 3600) / 60, s % 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
