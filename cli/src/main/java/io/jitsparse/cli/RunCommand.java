package io.jitsparse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.ServiceKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jitsparse run}: the main job. Both roles in one JVM (an embedded cluster of one): the
 * agent's registry, explorers and learner, and the env's trainers, which run their episodes and
 * write {@code episodes.jsonl}; nothing else to start.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Runs the whole system in one JVM: an agent and --trainers trainers that train sparse"
          + " networks for --episodes episodes each, the agent choosing per-layer densities"
          + " every --decision-interval steps. Writes OUT/episodes.jsonl and prints a summary.",
      "Exit codes: 0 done, 2 bad input."
    })
final class RunCommand extends NodeCommand {

  /** Defaults of {@code run} that differ from a long-lived env-node's. */
  static final Map<String, Object> RUN_DEFAULTS =
      Map.of(
          TrainerSettings.PATH + ".episodes",
          3,
          TrainerSettings.PATH + ".out",
          "runs/run",
          "jitsparse.node.port",
          0);

  /** Seconds a signalled JVM waits for the run's summary to be printed. */
  private static final long SUMMARY_WAIT_SECONDS = 30;

  static CommandLine commandLine(Config config) {
    Config withRunDefaults = ConfigFactory.parseMap(RUN_DEFAULTS).withFallback(config);
    return commandLine(new RunCommand(), withRunDefaults, TrainerSettings.PATH, AgentSettings.PATH);
  }

  @Override
  int run(Config config) {
    String runId = config.getString(TrainerSettings.PATH + ".run-id");
    if (runId.isBlank()) {
      runId = AgentSettings.mintRunId();
    }
    Config c =
        config
            .withValue(TrainerSettings.PATH + ".run-id", ConfigValueFactory.fromAnyRef(runId))
            .withValue(AgentSettings.PATH + ".run-id", ConfigValueFactory.fromAnyRef(runId));
    TrainerSettings env = TrainerSettings.create(c);
    AgentSettings agent = AgentSettings.create(c);
    System.out.println("jitsparse: run id " + runId + ", output " + env.out().toAbsolutePath());
    ClusterNode node =
        ClusterNode.start(
            c,
            Set.of(ServiceKeys.ENV_ROLE, ServiceKeys.AGENT_ROLE),
            runId,
            System.out,
            (ctx, n) -> Roles.trainingNode(ctx, n, env, agent));
    // On SIGTERM/Ctrl-C the JVM exits once its shutdown hooks finish: hold it until the summary
    // of the (partly aborted) run is printed.
    ShutdownHold hold =
        ShutdownHold.install(
            "jitsparse-run-summary", Duration.ofSeconds(SUMMARY_WAIT_SECONDS), () -> {});
    try {
      int code = node.awaitTermination();
      printSummary(env.out().resolve("episodes.jsonl"), runId);
      return code;
    } finally {
      hold.release();
    }
  }

  private static void printSummary(Path episodes, String runId) {
    if (!Files.exists(episodes)) {
      System.out.println("no episode finished; nothing in " + episodes);
      return;
    }
    ObjectMapper json = new ObjectMapper();
    try {
      List<String> lines = Files.readAllLines(episodes);
      System.out.printf(
          "%-28s %7s %8s %9s %8s %12s %8s%n",
          "trainer", "episode", "aborted", "accuracy", "density", "flops", "return");
      for (String line : lines) {
        JsonNode e = json.readTree(line);
        if (!runId.equals(e.path("run_id").asText())) {
          continue;
        }
        System.out.printf(
            "%-28s %7d %8s %9.4f %8.4f %12.4g %8.4f%n",
            e.path("trainer").asText(),
            e.path("episode").asLong(),
            e.path("aborted").asBoolean(),
            e.path("test_accuracy").asDouble(),
            e.path("global_density").asDouble(),
            e.path("training_flops").asDouble(),
            e.path("return").asDouble());
      }
      System.out.println("episodes: " + episodes.toAbsolutePath());
    } catch (IOException e) {
      System.out.println("could not read " + episodes + ": " + e.getMessage());
    }
  }
}
