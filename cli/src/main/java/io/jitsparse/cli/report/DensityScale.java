package io.jitsparse.cli.report;

import java.awt.Color;
import java.util.Locale;

/**
 * The colour scale of densities (0 to 1) shared by the schedule heatmap's PNG and its HTML table,
 * so that both read the same: viridis, which is perceptually uniform, readable in grey and by
 * colour-blind readers.
 */
final class DensityScale {

  /** Viridis at 0, 1/4, 1/2, 3/4 and 1 (matplotlib's values); colours between are interpolated. */
  private static final Color[] ANCHORS = {
    new Color(0x44, 0x01, 0x54),
    new Color(0x3b, 0x52, 0x8b),
    new Color(0x21, 0x91, 0x8c),
    new Color(0x5e, 0xc9, 0x62),
    new Color(0xfd, 0xe7, 0x25)
  };

  /** Colour of cells whose density is not a number. */
  private static final Color MISSING = new Color(0xbb, 0xbb, 0xbb);

  /** Relative luminance above which black text is more legible than white (WCAG crossover). */
  private static final double DARK_TEXT_LUMINANCE = 0.179;

  private static final double SRGB_LINEAR_LIMIT = 0.04045;
  private static final double SRGB_LINEAR_SLOPE = 12.92;
  private static final double SRGB_OFFSET = 0.055;
  private static final double SRGB_GAMMA = 2.4;
  private static final double RED_WEIGHT = 0.2126;
  private static final double GREEN_WEIGHT = 0.7152;
  private static final double BLUE_WEIGHT = 0.0722;
  private static final double CHANNEL_MAX = 255.0;

  private DensityScale() {}

  /** The anchors, lowest density first (XChart's heatmap interpolates between them too). */
  static Color[] anchors() {
    return ANCHORS.clone();
  }

  /** The colour of {@code density}, clamped to 0..1; grey when it is not a number. */
  static Color colour(double density) {
    if (!Double.isFinite(density)) {
      return MISSING;
    }
    double x = Math.max(0, Math.min(1, density)) * (ANCHORS.length - 1);
    int i = Math.min((int) Math.floor(x), ANCHORS.length - 2);
    double f = x - i;
    Color a = ANCHORS[i];
    Color b = ANCHORS[i + 1];
    return new Color(
        mix(a.getRed(), b.getRed(), f),
        mix(a.getGreen(), b.getGreen(), f),
        mix(a.getBlue(), b.getBlue(), f));
  }

  /** The colour as CSS {@code #rrggbb}. */
  static String css(Color c) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  /** Black or white, whichever is more legible on {@code background}. */
  static Color text(Color background) {
    double l =
        RED_WEIGHT * linear(background.getRed())
            + GREEN_WEIGHT * linear(background.getGreen())
            + BLUE_WEIGHT * linear(background.getBlue());
    return l > DARK_TEXT_LUMINANCE ? Color.BLACK : Color.WHITE;
  }

  private static int mix(int a, int b, double f) {
    return (int) Math.round(a + (b - a) * f);
  }

  private static double linear(int channel) {
    double c = channel / CHANNEL_MAX;
    return c <= SRGB_LINEAR_LIMIT
        ? c / SRGB_LINEAR_SLOPE
        : Math.pow((c + SRGB_OFFSET) / (1 + SRGB_OFFSET), SRGB_GAMMA);
  }
}
