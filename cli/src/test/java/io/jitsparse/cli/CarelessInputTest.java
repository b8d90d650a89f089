package io.jitsparse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a careless user typed gets one line that names the flag or file, exit code 2, and none of
 * the libraries' wording ("hardcoded value", "has type STRING rather than NUMBER", a raw parser
 * message); a finished run is not resumed over its own result, and an edited checkpoint is named.
 */
class CarelessInputTest {

  /** Wording of Typesafe Config that must not reach a user. */
  private static final List<String> LIBRARY_WORDS =
      List.of("hardcoded value", "rather than", "Invalid value at", "\tat ");

  private static void assertOneLineNaming(CliRun r, String... named) {
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String n : named) {
      assertTrue(r.err().contains(n), "error lacks " + n + ": " + r.err());
    }
    for (String w : LIBRARY_WORDS) {
      assertFalse(r.err().contains(w), "library wording '" + w + "': " + r.err());
    }
  }

  @Test
  void valuesOfTheWrongKindNameTheFlagInOneLine(@TempDir Path tmp) {
    String out = tmp.resolve("out").toString();
    assertOneLineNaming(CliRun.of("baseline", "--density", "abc", "--out", out), "--density");
    assertOneLineNaming(
        CliRun.of("baseline", "--epochs", "1.5", "--out", out), "--epochs", "1.5", "whole");
    assertOneLineNaming(
        CliRun.of("baseline", "--epochs", "99999999999", "--out", out), "--epochs", "99999999999");
    assertOneLineNaming(
        CliRun.of("baseline", "--method", "lottery", "--out", out),
        "--method lottery",
        "replay, policy");
    assertOneLineNaming(
        CliRun.of("baseline", "--method", "dense", "--decision-interval", "5", "--out", out),
        "--decision-interval is for --method policy");
    assertOneLineNaming(CliRun.of("evaluate", "--density", "abc", "--out", out), "--density");
    // a typed flag of picocli's: its line and the pointer to --help, as every bad flag gets
    CliRun epochs = CliRun.of("evaluate", "--epochs", "1.5", "--out", out);
    assertEquals(BaselineCommand.EXIT_BAD_INPUT, epochs.code(), epochs.err());
    assertTrue(epochs.err().lines().findFirst().orElse("").contains("'--epochs': '1.5'"));
    assertEquals(2, epochs.err().strip().lines().count(), epochs.err());
    assertOneLineNaming(CliRun.of("env-node", "--trainers", "abc"), "--trainers");
  }

  @Test
  void budgetsWithoutAUnitOrBeyondTheLimitNameTheKeyAndTheValue(@TempDir Path tmp) {
    String out = tmp.resolve("out").toString();
    assertOneLineNaming(
        CliRun.of("run", "--budget", "5x", "--out", out),
        "jitsparse.agent-node.budget: 5x",
        "unit");
    assertOneLineNaming(
        CliRun.of("run", "--budget", "999999999d", "--out", out),
        "jitsparse.agent-node.budget: 999999999d is longer than");
  }

  @Test
  void aFinishedRunIsNotResumedAndAnEditedCheckpointIsNamed(@TempDir Path tmp) throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeTrue(
          FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR),
          "dataset-fashion-mnist is not installed");
    }
    Path run = tmp.resolve("run");
    CliRun first = CliRun.tinyBaseline(run);
    assertEquals(0, first.code(), first.out() + first.err());
    Path result = run.resolve("result.json");
    String written = Files.readString(result);

    CliRun again = CliRun.of("baseline", "--resume", run.toString());
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("is finished"), again.out());
    assertEquals(written, Files.readString(result), "result.json is left as it was");

    // a stopped run whose progress.json was edited beyond the run's steps
    Files.writeString(result, written.replace("\"aborted\" : false", "\"aborted\" : true"));
    Path progress = run.resolve("checkpoint/progress.json");
    String json = Files.readString(progress);
    Files.writeString(progress, json.replaceFirst("\"step\" : \\d+", "\"step\" : 999999"));
    assertOneLineNaming(CliRun.of("baseline", "--resume", run.toString()), progress.toString());

    Files.writeString(progress, json.substring(0, json.length() / 2));
    assertOneLineNaming(
        CliRun.of("baseline", "--resume", run.toString()), progress.toString(), "not valid JSON");
  }
}
