package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while {@code jitsparse run} is still starting its node and trainers stops it promptly and
 * by the command's own handler (its line, its exit code), instead of being lost or killing the JVM
 * half-started with a stack trace (exit 143).
 */
class RunSignalledWhileStartingTest {

  private static final Duration START = Duration.ofSeconds(60);

  /** Start-up of the node, then a coordinated shutdown whose phases last at most 20 s each. */
  private static final Duration STOP = Duration.ofSeconds(120);

  /** What a run without a learned policy exits with (RunCommand.EXIT_NO_POLICY). */
  private static final int EXIT_NO_POLICY = 1;

  @TempDir Path dir;

  @Test
  void sigtermDuringStartUpStopsTheRun() throws Exception {
    try (NodeProcess run =
        NodeProcess.start(
            "run",
            "1500m",
            dir.resolve("run.log"),
            List.of(),
            "run",
            "--out",
            dir.resolve("out").toString(),
            "--trainers",
            "4",
            "--budget",
            "10m",
            "--http-port",
            "-1")) {
      run.await(Pattern.compile("^jitsparse: run id "), START);
      run.sigterm();
      assertTrue(run.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS), run.tail(40));
      run.await(Pattern.compile("^jitsparse: SIGTERM: stopping learning"), START);
      assertEquals(EXIT_NO_POLICY, run.process().exitValue(), run.tail(40));
      run.await(Pattern.compile("stopped by a signal before the learner wrote a policy"), START);
    }
  }
}
