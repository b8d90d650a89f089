package io.jitsparse.env.data;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external command (apt-get, dpkg, id) and captures its output; an interface so tests can
 * fake the system without touching it.
 */
@FunctionalInterface
public interface CommandRunner {

  /**
   * Runs {@code command} in {@code workDir} and waits for it at most {@code timeout}. Never throws
   * for a command that cannot start or times out; that is reported as {@link
   * CommandResult#NOT_COMPLETED}.
   */
  CommandResult run(Path workDir, Duration timeout, List<String> command);

  /** The runner that starts real operating-system processes. */
  static CommandRunner system() {
    return new ProcessCommandRunner();
  }

  /**
   * How a command ended.
   *
   * @param exitCode the process's exit code, or {@link #NOT_COMPLETED}
   * @param output standard output and standard error, interleaved
   */
  record CommandResult(int exitCode, String output) {

    /** Exit code reported when the command could not start, timed out or was interrupted. */
    public static final int NOT_COMPLETED = -1;

    /** True for exit code 0. */
    public boolean succeeded() {
      return exitCode == 0;
    }
  }
}
