package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.cli.report.ReportWriter;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

  private static CliRun evaluate(Path out, String... flags) {
    String[] args = new String[flags.length + 3];
    args[0] = "evaluate";
    args[1] = "--out";
    args[2] = out.toString();
    System.arraycopy(flags, 0, args, 3, flags.length);
    return CliRun.of(args);
  }

  private static void assertBadFlag(CliRun r, String... named) {
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
    for (String n : named) {
      assertTrue(r.err().contains(n), "error lacks " + n + ": " + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void badFlagsExit2NamingTheFlag(@TempDir Path tmp) {
    assertBadFlag(evaluate(tmp, "--model", "vgg"), "--model", "vgg");
    assertBadFlag(evaluate(tmp, "--density", "1.5"), "--density");
    assertBadFlag(evaluate(tmp, "--density", "0"), "--density");
    assertBadFlag(
        evaluate(tmp, "--baselines", "gmp-cubic,lottery"), "--baselines", "lottery", "static-erk");
    assertBadFlag(
        evaluate(tmp, "--episode-steps", "40", "--epochs", "1"), "--episode-steps", "--epochs");
    assertBadFlag(evaluate(tmp, "--seeds", ""), "--seeds");
    assertBadFlag(evaluate(tmp, "--flops-weight", "-1"), "--flops-weight");
    Path noPolicy = tmp.resolve("no-such-policy");
    assertBadFlag(evaluate(tmp, "--policy", noPolicy.toString()), "--policy", noPolicy.toString());
    assertFalse(Files.exists(tmp.resolve(ReportWriter.COMPARISON_JSON)));
  }

  @Test
  void anOutputThatCannotBeWrittenIsRefusedBeforeAnyTraining(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    CliRun r = CliRun.of("evaluate", "--out", file.toString(), "--baselines", "static-erk");
    assertBadFlag(r, "--out", file.toString(), "is a file");
    assertFalse(r.out().contains("[1/"), "trained before refusing: " + r.out());
  }

  @Test
  void theDecisionIntervalIsCheckedAgainstTheLengthTheEpochsGive(@TempDir Path tmp)
      throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    // 1024 training samples: one epoch of 8 steps, too short for a decision every 20
    assertBadFlag(
        evaluate(
            tmp.resolve("short"),
            "--epochs",
            "1",
            "--decision-interval",
            "20",
            "--train-samples",
            "1024",
            "--baselines",
            "static-erk"),
        "--decision-interval",
        "20",
        "episode-steps 8");
    // 250 steps is longer than the default 200-step episode but fits the 320 steps of one epoch
    // of 40960 samples: accepted (it was refused against the default length before)
    CliRun ok =
        evaluate(
            tmp.resolve("long"),
            "--model",
            "lenet-300-100",
            "--epochs",
            "1",
            "--decision-interval",
            "250",
            "--train-samples",
            "40960",
            "--test-samples",
            "200",
            "--baselines",
            "static-erk",
            "--seeds",
            "1");
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().contains("[1/1] static-erk seed 1"), ok.out());
  }

  @Test
  void helpListsTheEpisodeKeysButNotTheNodeOnes() {
    CliRun r = CliRun.of("evaluate", "--help");
    assertEquals(0, r.code());
    for (String flag :
        new String[] {
          "--model",
          "--density",
          "--episode-steps",
          "--epochs",
          "--seeds",
          "--baselines",
          "--decision-interval",
          "--flops-weight",
          "--train-samples",
          "--test-samples",
          "--out"
        }) {
      assertTrue(r.out().contains(flag), flag);
    }
    for (String flag : new String[] {"--trainers", "--ack-timeout", "--fallback-schedule"}) {
      assertFalse(r.out().contains(flag), flag);
    }
  }

  @Test
  void aShortEvaluationOfThePolicyPrintsTheTableAndWritesTheReport(@TempDir Path tmp)
      throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    Path checkpoint = TestPolicies.untrained(tmp.resolve("ckpt"));
    Path out = tmp.resolve("report");
    // 1024 training samples of batch 128: one epoch is 8 steps, a decision every 4
    CliRun r =
        evaluate(
            out,
            "--policy",
            checkpoint.toString(),
            "--model",
            "lenet5-caffe",
            "--density",
            "0.2",
            "--seeds",
            "3",
            "--epochs",
            "1",
            "--decision-interval",
            "4",
            "--baselines",
            "static-erk",
            "--train-samples",
            "1024",
            "--test-samples",
            "200",
            "--validation-samples",
            "100");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("[1/2] learned seed 3"), r.out());
    assertTrue(r.out().contains("[2/2] static-erk seed 3"), r.out());
    assertTrue(r.out().matches("(?s).*\\nlearned +0\\.\\d{4} \\+- 0\\.0000 +0\\.2000 .*"), r.out());
    assertTrue(
        r.out().matches("(?s).*\\nstatic-erk +0\\.\\d{4} \\+- 0\\.0000 +0\\.2000 .*"), r.out());
    JsonNode c = new ObjectMapper().readTree(out.resolve(ReportWriter.COMPARISON_JSON).toFile());
    assertEquals(2, c.size(), c.toString());
    JsonNode learned = c.path(0);
    assertEquals("learned", learned.path("method").asText());
    assertTrue(learned.path("description").asText().contains("version " + TestPolicies.VERSION));
    assertEquals(8, learned.path("steps").asLong(), c.toString());
    assertEquals(3, learned.path("per_seed").path(0).path("seed").asLong(), c.toString());
    assertEquals(0.2, learned.path("global_density").asDouble(), 1e-3);
    assertTrue(Files.exists(out.resolve(ReportWriter.HTML)));
    assertTrue(Files.exists(out.resolve(ReportWriter.SCHEDULE_CSV)), "the learned schedule");
  }
}
