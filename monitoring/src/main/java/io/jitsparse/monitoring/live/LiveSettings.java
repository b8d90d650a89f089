package io.jitsparse.monitoring.live;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the live page, read once at start from {@code jitsparse.live} (defaults and one
 * comment per key in the monitoring module's {@code reference.conf}).
 *
 * @param historyPoints per-step points kept per trainer (downsampled beyond)
 * @param curvePoints finished episodes kept for the learning curve (downsampled beyond)
 * @param maxTrainers trainers shown at most
 * @param pollInterval how often the page asks for news
 * @param resubscribeInterval silence after which a trainer is sent its subscription again
 */
public record LiveSettings(
    int historyPoints,
    int curvePoints,
    int maxTrainers,
    Duration pollInterval,
    Duration resubscribeInterval) {

  /** Path of the section this record reads. */
  public static final String PATH = "jitsparse.live";

  /** Fewest points a downsampled series can hold: halving must leave one. */
  static final int MIN_POINTS = 2;

  /** Checks every value; a bad one names its key. */
  public LiveSettings {
    if (historyPoints < MIN_POINTS) {
      throw bad("history-points", historyPoints + " must be at least " + MIN_POINTS);
    }
    if (curvePoints < MIN_POINTS) {
      throw bad("curve-points", curvePoints + " must be at least " + MIN_POINTS);
    }
    if (maxTrainers < 1) {
      throw bad("max-trainers", maxTrainers + " must be positive");
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw bad("poll-interval", pollInterval + " must be positive");
    }
    if (resubscribeInterval.isNegative() || resubscribeInterval.isZero()) {
      throw bad("resubscribe-interval", resubscribeInterval + " must be positive");
    }
  }

  /** Reads {@link #PATH} from {@code config}. */
  public static LiveSettings create(Config config) {
    Config c = config.getConfig(PATH);
    return new LiveSettings(
        c.getInt("history-points"),
        c.getInt("curve-points"),
        c.getInt("max-trainers"),
        c.getDuration("poll-interval"),
        c.getDuration("resubscribe-interval"));
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException(PATH + "." + key + ": " + why);
  }
}
