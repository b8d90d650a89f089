package io.jitsparse.env.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CommandRunner} that starts real processes. Output goes to a temporary file rather than a
 * pipe, so a chatty command cannot block on a full pipe while we wait for it with a timeout.
 */
public final class ProcessCommandRunner implements CommandRunner {

  @Override
  public CommandResult run(Path workDir, Duration timeout, List<String> command) {
    Path outputFile = null;
    Process process = null;
    try {
      outputFile = Files.createTempFile("jitsparse-command-", ".log");
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(outputFile.toFile())
              .start();
      // Nothing is ever typed into the command; closing stdin makes any prompt see end of input.
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new CommandResult(
            CommandResult.NOT_COMPLETED,
            readOutput(outputFile)
                + "\n"
                + String.join(" ", command)
                + ": timed out after "
                + timeout);
      }
      return new CommandResult(process.exitValue(), readOutput(outputFile));
    } catch (IOException e) {
      return new CommandResult(
          CommandResult.NOT_COMPLETED,
          String.join(" ", command) + ": cannot run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (process != null) {
        process.destroyForcibly();
      }
      return new CommandResult(
          CommandResult.NOT_COMPLETED, String.join(" ", command) + ": interrupted");
    } finally {
      if (outputFile != null) {
        try {
          Files.deleteIfExists(outputFile);
        } catch (IOException ignored) {
          // A leftover log in the temp directory is harmless.
        }
      }
    }
  }

  private static String readOutput(Path outputFile) throws IOException {
    return new String(Files.readAllBytes(outputFile), StandardCharsets.UTF_8);
  }
}
