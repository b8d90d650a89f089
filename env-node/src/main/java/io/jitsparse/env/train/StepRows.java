package io.jitsparse.env.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a run's CSV files whose first column is the step ({@code schedule.csv}, {@code steps.csv})
 * back to a checkpoint. A run killed after its last checkpoint has already appended the rows of the
 * steps it will train again on resume; left in place they would appear twice (and {@code --method
 * replay} refuses a schedule whose step goes backwards).
 */
final class StepRows {

  private StepRows() {}

  /**
   * Keeps the header and the rows of {@code file} up to and including {@code step}; a missing file
   * is left missing. Rewritten atomically (temporary file, then rename).
   */
  static void keepThrough(Path file, long step) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>();
    boolean cut = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (i == 0 || line.isBlank() || stepOf(line) <= step) {
        kept.add(line);
      } else {
        cut = true;
      }
    }
    if (!cut) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("cannot rewrite " + file + ": " + Checkpoint.reason(e), e);
    }
  }

  /** The step of a row; a row that does not start with one (a torn last line) sorts last. */
  private static long stepOf(String line) {
    int comma = line.indexOf(',');
    try {
      return Long.parseLong(comma < 0 ? line : line.substring(0, comma));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
