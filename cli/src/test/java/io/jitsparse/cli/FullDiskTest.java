package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: {@code --out} on a 64 KiB tmpfs. A baseline's first checkpoint does not
 * fit; the error names it, and neither a temporary folder nor a partial {@code result.json} is
 * left. {@code run} refuses the folder before it learns anything. Mounting needs root: the test
 * runs as root (CI does) and is skipped otherwise, except under {@code CI=true}, where it fails.
 */
class FullDiskTest {

  /** Smaller than lenet-300-100's checkpoint (about 3 MB of arrays), larger than its logs. */
  private static final String TMPFS_SIZE = "64k";

  private static final long MOUNT_SECONDS = 30;

  @TempDir Path dir;
  private Path full;

  @BeforeEach
  void mountTinyTmpfs() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    }
    full = Files.createDirectories(dir.resolve("full"));
    command("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", full.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    if (full != null) {
      command("umount", full.toString());
    }
  }

  private static void command(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    assertTrue(p.waitFor(MOUNT_SECONDS, TimeUnit.SECONDS), String.join(" ", args));
    assertEquals(
        0,
        p.exitValue(),
        String.join(" ", args) + ": " + new String(p.getInputStream().readAllBytes()));
  }

  @Test
  void aCheckpointThatDoesNotFitIsNamedAndLeavesNothingHalfWritten() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    Path out = full.resolve("run");
    CliRun r = CliRun.tinyBaseline(out);
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, r.code(), r.err());
    assertTrue(
        r.err().contains("cannot write the checkpoint " + out.resolve("checkpoint")), r.err());
    assertTrue(r.err().contains("No space left on device"), r.err());
    assertFalse(Files.exists(out.resolve("checkpoint.tmp")), "temporary checkpoint left");
    assertFalse(Files.exists(out.resolve("result.json")), "partial result");
    assertFalse(Files.exists(out.resolve("result.json.tmp")), "partial result");
  }

  @Test
  void runRefusesAnOutWithoutRoomBeforeLearning() {
    CliRun r = CliRun.of("run", "--budget", "10s", "--out", full.resolve("run").toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--out " + full.resolve("run")), r.err());
    assertTrue(r.err().contains("KiB free"), r.err());
  }
}
