package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.learner.LearnerCheckpoint;
import io.jitsparse.cli.report.ReportReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, {@code jitsparse run}, as a user runs it (its own JVM) with a short
 * budget and short episodes: trainers and agent learn, the learner publishes and checkpoints, then
 * the greedy policy and the three baselines are evaluated at the same final density and the report
 * folder holds the page, the comparison, the learning curve and the policy checkpoint.
 */
class MainCommandTest {

  private static final double TARGET = 0.1;

  @Test
  void shortRunLearnsEvaluatesAndWritesTheReport(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    try (NodeProcess run =
        NodeProcess.start(
            "run",
            "1500m",
            tmp.resolve("run.log"),
            List.of(),
            "run",
            "--out",
            out.toString(),
            "--budget",
            "60s",
            "--episode-steps",
            "60",
            "--decision-interval",
            "10",
            // one finished episode (6 transitions) is enough to start learning, however loaded
            "--min-replay-size",
            "4",
            "--learner-batch-size",
            "4",
            "--publish-interval",
            "5",
            "--density",
            Double.toString(TARGET),
            // the closing comparison trains one epoch per method: 40 batches of 128 here
            "--train-samples",
            "5120",
            "--http-port",
            "0")) {
      // While it learns: the node's /metrics is the catalogue of docs/metrics.md, bounded.
      String http = run.httpBase(Duration.ofSeconds(120));
      NodeProcess.awaitTrue(
          () -> {
            try {
              String text = NodeProcess.scrape(http);
              return NodeProcess.sum(text, "jitsparse_agent_learner_updates_total") > 0
                  && NodeProcess.sum(text, "jitsparse_trainer_episodes_total") >= 2;
            } catch (Exception e) {
              return false;
            }
          },
          Duration.ofSeconds(150),
          run);
      String text = NodeProcess.scrape(http);
      List<String> problems =
          MetricCatalog.read(Path.of("..", "docs", "metrics.md"))
              .problems(
                  text,
                  List.of("jitsparse_trainer_", "jitsparse_agent_", "jitsparse_cluster_"),
                  Map.of("trainer", 2, "layer", 4, "model", 1, "run", 1, "node", 1, "role", 1));
      assertTrue(problems.isEmpty(), String.join("\n", problems));
      run.await(
          java.util.regex.Pattern.compile("learning budget of 01:00 reached"),
          Duration.ofSeconds(150));
      run.await(java.util.regex.Pattern.compile("^report: .*report.html"), Duration.ofSeconds(240));
      assertTrue(run.process().waitFor(60, TimeUnit.SECONDS), "run did not exit");
      assertEquals(0, run.process().exitValue(), run.tail(40));
    }
    for (String f :
        List.of(
            "report.html",
            "comparison.json",
            "comparison.csv",
            "learning-curve.png",
            "learning-curve.csv",
            "learned-schedule.png",
            "global-density.png",
            "episodes.jsonl")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f + " missing or empty");
    }
    List<Map<String, Object>> rows = ReportReader.comparison(out);
    assertEquals(
        List.of(
            "learned",
            "gmp-cubic-erk",
            "gmp-cubic-global",
            "gmp-cubic",
            "dst-cosine",
            "static-erk"),
        rows.stream().map(r -> r.get("method")).toList());
    // the comparison names its strongest baseline and pairs the learned schedule with it
    Object strongest = rows.get(0).get("strongest_baseline");
    assertTrue(
        rows.stream().anyMatch(r -> r.get("method").equals(strongest)),
        "strongest baseline " + strongest + " is not a row");
    assertTrue(rows.get(0).containsKey("paired_vs_strongest"), rows.get(0).toString());
    for (Map<String, Object> r : rows) {
      for (String key :
          List.of(
              "test_accuracy",
              "test_accuracy_std",
              "seeds",
              "global_density",
              "training_flops",
              "inference_flops",
              "training_flops_vs_reference",
              "inference_flops_vs_reference")) {
        assertTrue(r.containsKey(key), r.get("method") + " lacks " + key);
      }
      double density = ((Number) r.get("global_density")).doubleValue();
      assertEquals(TARGET, density, 1e-3, r.get("method") + " did not end at the target");
      double accuracy = ((Number) r.get("test_accuracy")).doubleValue();
      assertTrue(accuracy >= 0 && accuracy <= 1, r.toString());
    }
    // the learning curve has the finished learning episodes (header + at least two)
    assertTrue(Files.readAllLines(out.resolve("learning-curve.csv")).size() >= 3);
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("gmp-cubic") && html.contains("learned"), "report lacks methods");
    assertTrue(html.contains("Result at equal compute"), "report does not lead with the result");
    try (Stream<Path> ckpts = Files.list(out.resolve("checkpoints"))) {
      Path newest =
          ckpts
              .filter(p -> LearnerCheckpoint.NAME.matcher(p.getFileName().toString()).matches())
              .max(Path::compareTo)
              .orElseThrow();
      LearnerCheckpoint c = LearnerCheckpoint.read(newest);
      assertTrue(c.updates() > 0, "the learner made no update: " + c);
      assertTrue(c.policyVersion() > 1, "no policy version was published after the first");
    }
  }
}
