package io.jitsparse.bench;

import java.util.Arrays;
import java.util.List;

/** Small statistics over measurements. */
final class Stats {

  private Stats() {}

  /** The median (mean of the middle two for an even count); NaN when empty. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** The median of a list. */
  static double median(List<Double> values) {
    return median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** {@code a / b}, or NaN when either is not a positive finite number. */
  static double ratio(double a, double b) {
    return Double.isFinite(a) && Double.isFinite(b) && b > 0 ? a / b : Double.NaN;
  }

  /** Rounds for JSON and tables: NaN stays NaN, others keep {@code digits} decimals. */
  static double round(double value, int digits) {
    if (!Double.isFinite(value)) {
      return value;
    }
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
