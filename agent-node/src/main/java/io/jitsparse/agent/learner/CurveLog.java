package io.jitsparse.agent.learner;

import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.v1.EpisodeSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Appends the learning curve, one line per episode the learner received, to {@code
 * learning-curve.csv} in the agent's output folder. It runs on {@code
 * jitsparse.agent-io-dispatcher} because appending blocks; a failed write is logged and the curve
 * goes on (the episode is still counted by the learner).
 */
public final class CurveLog {

  /** The file name. */
  public static final String FILE = "learning-curve.csv";

  /** The header line. */
  public static final String HEADER =
      "episode,elapsed_seconds,trainer_id,model,return,test_accuracy,global_density,"
          + "training_flops,policy_version,aborted";

  /** What the log handles. */
  public sealed interface Command extends LocalCommand permits Append {}

  /** One episode, numbered by the learner, at {@code elapsedSeconds} of learning. */
  public record Append(long episode, double elapsedSeconds, EpisodeSummary summary)
      implements Command {}

  private CurveLog() {}

  /** A log appending to {@code dir/learning-curve.csv} (created with its header when missing). */
  public static Behavior<Command> create(Path dir) {
    return Behaviors.setup(
        ctx -> {
          Path file = dir.resolve(FILE);
          try {
            Files.createDirectories(dir);
            if (!Files.exists(file)) {
              Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
            }
          } catch (IOException e) {
            ctx.getLog().warn("learning curve {} cannot be written: {}", file, e.getMessage());
          }
          return Behaviors.receive(Command.class)
              .onMessage(
                  Append.class,
                  a -> {
                    try {
                      Files.writeString(
                          file,
                          line(a) + "\n",
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND);
                    } catch (IOException e) {
                      ctx.getLog().warn("learning curve {}: {}", file, e.getMessage());
                    }
                    return Behaviors.same();
                  })
              .build();
        });
  }

  static String line(Append a) {
    EpisodeSummary s = a.summary();
    return String.format(
        Locale.ROOT,
        "%d,%.3f,%s,%s,%.6f,%.6f,%.6f,%.6e,%d,%s",
        a.episode(),
        a.elapsedSeconds(),
        s.getTrainerId(),
        s.getModel(),
        s.getReturn(),
        s.getTestAccuracy(),
        s.getGlobalDensity(),
        s.getTrainingFlops(),
        s.getPolicyVersion(),
        s.getAborted());
  }

  /** One parsed line of the file. */
  public record Row(
      long episode,
      double elapsedSeconds,
      String trainerId,
      String model,
      double episodeReturn,
      double testAccuracy,
      double globalDensity,
      double trainingFlops,
      long policyVersion,
      boolean aborted) {}

  /** Reads a learning curve file; the message of a failure names the file and line. */
  public static List<Row> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      try {
        if (f.length != 10) {
          throw new IllegalArgumentException(f.length + " fields, expected 10");
        }
        rows.add(
            new Row(
                Long.parseLong(f[0]),
                Double.parseDouble(f[1]),
                f[2],
                f[3],
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5]),
                Double.parseDouble(f[6]),
                Double.parseDouble(f[7]),
                Long.parseLong(f[8]),
                Boolean.parseBoolean(f[9])));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }
}
