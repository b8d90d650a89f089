package io.jitsparse.agent.replay;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The replay journal's settings, read from {@code jitsparse.agent-node} (defaults and one comment
 * per key in {@code reference.conf}); invalid values fail at start naming the key.
 *
 * @param enabled whether the replay is journaled (and restored) under the output folder
 * @param persistInterval time between two persists: the most an acknowledged transition waits in
 *     memory before its write to disk starts
 * @param segmentBytes size at which a transitions segment is closed and the next one begun
 */
public record JournalSettings(boolean enabled, Duration persistInterval, long segmentBytes) {

  /** The longest persist interval accepted: acknowledged data is never further behind. */
  public static final Duration MAX_PERSIST_INTERVAL = Duration.ofSeconds(10);

  /** The smallest persist interval accepted (shorter would force the disk many times a second). */
  public static final Duration MIN_PERSIST_INTERVAL = Duration.ofMillis(100);

  /** The smallest segment accepted. */
  public static final long MIN_SEGMENT_BYTES = 64L << 10;

  /** The folder under the output folder that holds the journal. */
  public static final String FOLDER = "replay";

  private static final String PATH = "jitsparse.agent-node.";

  /** Checks every value. */
  public JournalSettings {
    if (persistInterval.compareTo(MIN_PERSIST_INTERVAL) < 0
        || persistInterval.compareTo(MAX_PERSIST_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          PATH
              + "replay-persist-interval: "
              + persistInterval.toMillis()
              + "ms is outside ["
              + MIN_PERSIST_INTERVAL.toMillis()
              + "ms, "
              + MAX_PERSIST_INTERVAL.toSeconds()
              + "s]");
    }
    if (segmentBytes < MIN_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          PATH + "replay-segment-size: " + segmentBytes + " bytes is below " + MIN_SEGMENT_BYTES);
    }
  }

  /** Reads the journal keys of {@code c}, the {@code jitsparse.agent-node} section. */
  public static JournalSettings read(Config c) {
    return new JournalSettings(
        c.getBoolean("replay-journal"),
        c.getDuration("replay-persist-interval"),
        c.getBytes("replay-segment-size"));
  }

  /** The journal folder under {@code out}, when journaling and an output folder is set. */
  public Optional<Path> dir(String out) {
    return enabled && !out.isEmpty() ? Optional.of(Path.of(out, FOLDER)) : Optional.empty();
  }
}
