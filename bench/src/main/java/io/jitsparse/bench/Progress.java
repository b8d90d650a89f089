package io.jitsparse.bench;

import java.util.Locale;

/** Progress lines with the elapsed time and an estimate of the time left. */
final class Progress {

  private static final double NANOS_PER_SECOND = 1e9;
  private static final int SECONDS_PER_MINUTE = 60;

  private final String name;
  private final long start = System.nanoTime();

  Progress(String name) {
    this.name = name;
  }

  /** Seconds since this benchmark started. */
  double elapsedSeconds() {
    return (System.nanoTime() - start) / NANOS_PER_SECOND;
  }

  /**
   * Prints {@code [name mm:ss elapsed, ETA mm:ss] message}.
   *
   * @param etaSeconds estimated seconds left, or NaN when unknown
   */
  void line(double etaSeconds, String message) {
    String eta = Double.isFinite(etaSeconds) ? clock(etaSeconds) : "?";
    System.out.printf(
        Locale.ROOT, "[%s %s elapsed, ETA %s] %s%n", name, clock(elapsedSeconds()), eta, message);
    System.out.flush();
  }

  private static String clock(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return String.format(Locale.ROOT, "%02d:%02d", s / SECONDS_PER_MINUTE, s % SECONDS_PER_MINUTE);
  }
}
