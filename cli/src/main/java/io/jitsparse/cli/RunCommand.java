package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.policy.ShippedPolicies;
import io.jitsparse.cli.evaluate.Baselines;
import io.jitsparse.cli.evaluate.Evaluation;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.cli.node.StopOnSignal;
import io.jitsparse.cli.report.CurvePoint;
import io.jitsparse.cli.report.LearnerCurve;
import io.jitsparse.cli.report.ReportData;
import io.jitsparse.cli.report.ReportWriter;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.trainer.TrainerData;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.ServiceKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jitsparse run}: the main job. Both roles in one JVM (an embedded cluster of one): the
 * trainers train sparse networks episode after episode while the agent learns a sparsity policy
 * from them, for a bounded time ({@code --budget}); then the greedy policy and the handcrafted
 * baselines train one episode each at the same length, seed and final density, and the report is
 * written to {@code --out}. Ctrl-C ends learning early and still evaluates and reports.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Learns a per-layer sparsity schedule for --budget with --trainers trainers and an agent in"
          + " this JVM, then trains the greedy policy and the baselines (gmp-cubic, dst-cosine,"
          + " static-erk) one episode each at the same length, seed and final --density, and"
          + " writes OUT/report.html, comparison.json, PNG and CSV files and the policy"
          + " checkpoints. Ctrl-C ends learning early (twice: quit at once).",
      "Exit codes: 0 done, 1 no policy to evaluate, 2 bad input, 130 quit by a second Ctrl-C."
    })
final class RunCommand extends NodeCommand {

  /** Length of the closing comparison's episodes, in epochs. */
  private static final int CLOSING_EPOCHS = 1;

  /** Defaults of {@code run} that differ from long-lived nodes'. */
  static final Map<String, Object> RUN_DEFAULTS =
      Map.of(
          TrainerSettings.PATH + ".episodes",
          0,
          TrainerSettings.PATH + ".out",
          "runs/run",
          AgentSettings.PATH + ".budget",
          "10m",
          "jitsparse.node.port",
          0);

  /**
   * Room a run needs in {@code --out}: learner checkpoints (3 kept, about 0.1 MB each for the
   * lenet5 Q-network), {@code episodes.jsonl}, and the closing evaluation's files and report (a few
   * MB); 64 MiB leaves a wide margin and still refuses a full disk before any learning.
   */
  static final long MIN_FREE_BYTES = 64L << 20;

  /** Exit code when learning left no checkpoint to evaluate. */
  static final int EXIT_NO_POLICY = 1;

  static CommandLine commandLine(Config config) {
    Map<String, Object> defaults = new java.util.HashMap<>(RUN_DEFAULTS);
    // A new user's first run starts from the shipped policy, which already follows the reference
    // schedule at least; --policy none learns from scratch.
    if (ShippedPolicies.present(ShippedPolicies.DEFAULT)) {
      defaults.put(AgentSettings.PATH + ".policy", ShippedPolicies.DEFAULT);
    }
    Config withRunDefaults = ConfigFactory.parseMap(defaults).withFallback(config);
    return commandLine(new RunCommand(), withRunDefaults, TrainerSettings.PATH, AgentSettings.PATH);
  }

  @Override
  int run(Config config) {
    String runId = config.getString(TrainerSettings.PATH + ".run-id");
    if (runId.isBlank()) {
      runId = AgentSettings.mintRunId();
    }
    String out = config.getString(TrainerSettings.PATH + ".out");
    // One folder for everything the run writes: episodes, learner curve, checkpoints, report.
    Config c =
        config
            .withValue(TrainerSettings.PATH + ".run-id", ConfigValueFactory.fromAnyRef(runId))
            .withValue(AgentSettings.PATH + ".run-id", ConfigValueFactory.fromAnyRef(runId))
            .withValue(AgentSettings.PATH + ".out", ConfigValueFactory.fromAnyRef(out));
    TrainerSettings env = TrainerSettings.create(c);
    AgentSettings agent = AgentSettings.create(c);
    OutputFolder.prepare(env.out(), "--out");
    OutputFolder.requireFree(env.out(), MIN_FREE_BYTES, "--out", "a run");
    agent.learning().checkWarmStart();
    // Taken before any trainer exists: trainers mute System.out while ND4J builds their graphs
    // (SparseNetwork), and a stream read during that window would print nothing, ever.
    PrintStream console = System.out;
    StopOnSignal signals = StopOnSignal.install(console, "learning");
    console.println("jitsparse: run id " + runId + ", output " + env.out().toAbsolutePath());
    ClusterNode node =
        ClusterNode.start(
            c,
            Set.of(ServiceKeys.ENV_ROLE, ServiceKeys.AGENT_ROLE),
            runId,
            console,
            (ctx, n) -> Roles.trainingNode(ctx, n, env, agent));
    signals.attach(node.system());
    int code = node.awaitTermination();
    if (code != 0) {
      return code;
    }
    try {
      return evaluateAndReport(c, env, runId);
    } catch (IOException e) {
      if (signals.signalled() && !Files.exists(env.out().resolve("checkpoints"))) {
        System.err.println(
            "jitsparse run: stopped by a signal before the learner wrote a policy; nothing to"
                + " evaluate");
      } else {
        System.err.println("jitsparse run: " + e.getMessage());
      }
      return EXIT_NO_POLICY;
    }
  }

  private static int evaluateAndReport(Config config, TrainerSettings env, String runId)
      throws IOException {
    Path out = env.out();
    GreedyPolicy policy = GreedyPolicy.load(out.resolve("checkpoints"));
    PrintWriter console = new PrintWriter(System.out, true);
    FashionMnist data =
        TrainerData.limitTest(
            new FashionMnistLocator(Path.of(env.engine(env.seed()).dataHome()), console::println)
                .load(null),
            env.testSamples());
    // A short check, not the realistic table: one epoch and one seed for every method.
    long steps = Evaluation.stepsForEpochs(env.engine(env.seed()), data, CLOSING_EPOCHS);
    TrainerSettings closing =
        TrainerSettings.create(
            config.withValue(
                TrainerSettings.PATH + ".episode-steps", ConfigValueFactory.fromAnyRef(steps)));
    console.printf(
        "jitsparse run: evaluating policy v%d (%s) against %s, one episode of %d steps (%d"
            + " epoch) each%n",
        policy.version(), policy.source(), Baselines.DEFAULTS, steps, CLOSING_EPOCHS);
    Evaluation evaluation =
        new Evaluation(
            closing,
            List.of(env.seed()),
            new Evaluation.Policy(
                policy::decide,
                "greedy policy v" + policy.version() + " (" + policy.source() + ")"),
            List.of(Baselines.DEFAULTS.split(",")));
    ReportData compared = evaluation.run(data, console);
    List<CurvePoint> curve = LearnerCurve.read(out);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("run_id", runId);
    settings.put("policy", policy.source().toString());
    settings.put("policy_version", policy.version());
    for (String key :
        List.of(
            "model",
            "density",
            "start-density",
            "trainers",
            "episode-steps",
            "decision-interval",
            "flops-weight",
            "prune",
            "grow",
            "seed")) {
      if (config.hasPath(TrainerSettings.PATH + "." + key)) {
        settings.put(key, config.getAnyRef(TrainerSettings.PATH + "." + key));
      }
    }
    settings.put("budget", config.getString(AgentSettings.PATH + ".budget"));
    ReportData report =
        new ReportData(
            "jitsparse run " + runId,
            compared.model(),
            compared.targetDensity(),
            compared.episodeSteps(),
            compared.layerNames(),
            curve,
            compared.methods(),
            settings,
            compared.layerSizes());
    ReportWriter.write(out, report);
    EvaluateCommand.printTable(console, report);
    console.println("report: " + out.resolve("report.html").toAbsolutePath());
    console.println(
        "jitsparse run: a short check (one epoch, one seed); the realistic table is `jitsparse"
            + " evaluate --policy "
            + out
            + " --epochs 10 --seeds 1,2,3` (docs/results.md)");
    return 0;
  }
}
