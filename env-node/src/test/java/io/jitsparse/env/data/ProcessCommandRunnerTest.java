package io.jitsparse.env.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.data.CommandRunner.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandRunnerTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final Duration TOO_SHORT = Duration.ofMillis(200);

  @TempDir Path dir;

  @Test
  void capturesOutputAndExitCodeInTheWorkingDirectory() {
    CommandResult result =
        CommandRunner.system()
            .run(dir, GENEROUS, List.of("sh", "-c", "echo out; echo err >&2; pwd; exit 3"));

    assertEquals(3, result.exitCode());
    assertTrue(result.output().contains("out"), result.output());
    assertTrue(result.output().contains("err"), result.output());
    assertTrue(result.output().contains(dir.getFileName().toString()), result.output());
  }

  @Test
  void missingProgramIsNotCompletedRatherThanThrown() {
    CommandResult result =
        CommandRunner.system().run(dir, GENEROUS, List.of("no-such-program-jitsparse"));

    assertEquals(CommandResult.NOT_COMPLETED, result.exitCode());
    assertTrue(result.output().contains("cannot run"), result.output());
  }

  @Test
  void commandOutlivingItsTimeoutIsStopped() {
    CommandResult result = CommandRunner.system().run(dir, TOO_SHORT, List.of("sleep", "30"));

    assertEquals(CommandResult.NOT_COMPLETED, result.exitCode());
    assertTrue(result.output().contains("timed out"), result.output());
  }
}
