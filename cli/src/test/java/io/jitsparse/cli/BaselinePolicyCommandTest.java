package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.train.RunResult;
import io.jitsparse.env.train.ScheduleLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jitsparse baseline --method policy}: a learner checkpoint's greedy policy trains one
 * network (lenet-300-100, 2560 samples: 20 steps an epoch, a decision every 20), and the schedule
 * it records replays.
 */
class BaselinePolicyCommandTest {

  private static final String[] SHORT = {
    "--model", "lenet-300-100",
    "--density", "0.1",
    "--epochs", "2",
    "--train-samples", "2560",
    "--checkpoint-every", "0",
    "--progress-seconds", "1000"
  };

  private static CliRun baseline(String... flags) {
    String[] args = new String[flags.length + SHORT.length + 1];
    args[0] = "baseline";
    System.arraycopy(SHORT, 0, args, 1, SHORT.length);
    System.arraycopy(flags, 0, args, 1 + SHORT.length, flags.length);
    return CliRun.of(args);
  }

  @Test
  void policyNeedsACheckpointAndACheckpointNeedsPolicy(@TempDir Path tmp) {
    CliRun none = baseline("--method", "policy", "--out", tmp.toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, none.code());
    assertTrue(none.err().contains("--policy"), none.err());

    Path missing = tmp.resolve("no-such.ckpt");
    CliRun bad =
        baseline("--method", "policy", "--policy", missing.toString(), "--out", tmp.toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, bad.code());
    assertTrue(bad.err().contains(missing.toString()), bad.err());
    assertFalse(bad.err().contains("\tat "), bad.err());

    CliRun stray =
        baseline("--method", "gmp", "--policy", missing.toString(), "--out", tmp.toString());
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, stray.code());
    assertTrue(stray.err().contains("--policy"), stray.err());
  }

  @Test
  void aPolicyRunEndsAtTheTargetAndItsScheduleReplays(@TempDir Path tmp) throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    Path checkpoint = TestPolicies.untrained(tmp.resolve("ckpt"));
    Path policyOut = tmp.resolve("policy");
    CliRun run =
        baseline(
            "--method", "policy", "--policy", checkpoint.toString(), "--out", policyOut.toString());
    assertEquals(0, run.code(), run.err());
    Map<String, Object> r = RunResult.read(policyOut.resolve(RunResult.FILE));
    assertEquals(TestPolicies.VERSION, ((Number) r.get("policy_version")).longValue());
    assertEquals("policy", ((Map<?, ?>) r.get("config")).get("method"));
    assertEquals(40, ((Number) r.get("steps")).longValue());
    assertEquals(0.1, ((Number) r.get("global_density")).doubleValue(), 1e-3);
    assertEquals(11, ((Number) r.get("decisions")).intValue(), "a decision every 10%: 0, 4, .. 40");
    Path schedule = policyOut.resolve("schedule.csv");
    List<ScheduleLog.Row> rows = ScheduleLog.read(schedule);
    // every step where the densities moved, once: the decisions' and the steered GMP's between
    List<Long> steps = rows.stream().map(ScheduleLog.Row::step).distinct().toList();
    assertEquals(0L, steps.get(0));
    assertTrue(steps.size() > 3 && steps.get(steps.size() - 1) <= 40, steps.toString());
    assertEquals(rows.size(), steps.size() * 3L, "one row per layer and step: " + rows);
    assertTrue(Files.size(policyOut.resolve("schedule.png")) > 0);

    Path replayOut = tmp.resolve("replay");
    CliRun replay =
        baseline(
            "--method",
            "replay",
            "--schedule-file",
            schedule.toString(),
            "--out",
            replayOut.toString());
    assertEquals(0, replay.code(), replay.err());
    Map<String, Object> replayed = RunResult.read(replayOut.resolve(RunResult.FILE));
    assertEquals(r.get("layer_densities"), replayed.get("layer_densities"));
  }
}
