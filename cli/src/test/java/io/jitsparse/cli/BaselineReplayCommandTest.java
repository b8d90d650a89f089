package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jitsparse baseline --method replay}: bad schedule files exit 2 naming file and line. */
class BaselineReplayCommandTest {

  /** The prunable layers of lenet-300-100 as its schedule.csv names them. */
  private static final String[] LENET_300_100 = {"fc1/W", "fc2/W", "fc3/W"};

  private static CliRun replay(Path out, Path schedule, String... more) {
    String[] base = {
      "baseline",
      "--method",
      "replay",
      "--schedule-file",
      schedule.toString(),
      "--out",
      out.toString(),
      "--model",
      "lenet-300-100",
      "--epochs",
      "1",
      "--train-samples",
      "512",
      "--checkpoint-every",
      "0",
      "--progress-seconds",
      "1000"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.of(args);
  }

  private static void assertBadInput(CliRun r, String... named) {
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
    for (String n : named) {
      assertTrue(r.err().contains(n), "error lacks " + n + ": " + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void badScheduleFilesExit2NamingFileAndLine(@TempDir Path tmp) throws Exception {
    CliRun none = CliRun.of("baseline", "--method", "replay", "--out", tmp.toString());
    assertBadInput(none, "schedule-file");

    Path missing = tmp.resolve("missing.csv");
    assertBadInput(replay(tmp.resolve("a"), missing), missing.toString());

    Path text = tmp.resolve("text.csv");
    Files.writeString(text, "step,layer,density\n0,fc1/W,1\n0,fc2/W,dense\n");
    assertBadInput(replay(tmp.resolve("b"), text), text + ": line 3");

    Path outside = tmp.resolve("outside.csv");
    Files.writeString(outside, "step,layer,density\n0,fc1/W,1\n0,fc2/W,1.2\n");
    assertBadInput(replay(tmp.resolve("c"), outside), outside + ": line 3", "(0, 1]");
  }

  @Test
  void aScheduleIsReplayedAndOneOfAnotherModelIsRejected(@TempDir Path tmp) throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    StringBuilder csv = new StringBuilder("step,layer,density\n");
    for (long step : new long[] {0, 2}) {
      for (String l : LENET_300_100) {
        csv.append(step).append(',').append(l).append(',').append(step == 0 ? 1.0 : 0.2);
        csv.append('\n');
      }
    }
    Path good = tmp.resolve("good.csv");
    Files.writeString(good, csv.toString());
    CliRun ok = replay(tmp.resolve("ok"), good);
    assertEquals(0, ok.code(), ok.err());
    assertTrue(Files.exists(tmp.resolve("ok").resolve("result.json")));
    assertTrue(
        Files.readString(tmp.resolve("ok").resolve("schedule.csv")).contains("2,fc1/W,0.2"),
        "the replay moved at step 2");

    Path lenet5 = tmp.resolve("lenet5.csv");
    Files.writeString(lenet5, "step,layer,density\n0,conv1/W,1\n0,conv2/W,1\n");
    assertBadInput(replay(tmp.resolve("d"), lenet5), lenet5 + ": line 2", "conv1/W");
  }
}
