package io.jitsparse.monitoring;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds and runs the Prometheus binaries ({@code prometheus}, {@code promtool}) the monitoring
 * tests need. A missing binary skips the test (an assumption naming the Debian package), except on
 * CI ({@code CI=true}), where it fails it.
 */
public final class ExternalTools {

  /** The Debian package that provides {@code prometheus} and {@code promtool}. */
  public static final String PACKAGE = "prometheus";

  private ExternalTools() {}

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {

    /** Whether the command exited with 0. */
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * The binary {@code name} on the {@code PATH}; skips the calling test when it is missing, or
   * fails it when the environment variable {@code CI} is {@code true}.
   */
  public static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isEmpty()) {
      String message = name + " is not on the PATH; install it with: apt-get install " + PACKAGE;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + " (CI=true: the monitoring tests must run)");
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  /** The executable {@code name} in a directory of the {@code PATH}, if any. */
  public static Optional<Path> find(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Runs {@code command} to its end and returns its output; fails when it runs longer than {@code
   * timeout} (the process is killed).
   */
  public static Result run(Duration timeout, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("jitsparse-tool", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Assertions.fail(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
