package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.cli.report.CurvePoint;
import io.jitsparse.cli.report.LearnerCurve;
import io.jitsparse.cli.report.ReportData;
import io.jitsparse.cli.report.ReportWriter;
import io.jitsparse.protocol.ServiceKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jitsparse agent-node}: a node with role {@code agent} (registry, explorers, learner). */
@Command(
    name = "agent-node",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Starts an agent-node: it registers trainers, runs one explorer per trainer and hosts the"
          + " learner (a cluster singleton), which learns from whatever env-nodes join for"
          + " --budget (or until stopped) and writes checkpoints and the learning curve to --out"
          + " (a restart with the same --out resumes from the newest checkpoint). Mints the run"
          + " id unless --run-id is given.",
      "Exit codes: 0 stopped, 2 bad input, 3 downed or removed by the cluster (restart it), 4 could not join the cluster."
    })
final class AgentNodeCommand extends NodeCommand {

  static CommandLine commandLine(Config config) {
    return commandLine(new AgentNodeCommand(), config, AgentSettings.PATH);
  }

  @Override
  int run(Config config) {
    String runId = config.getString(AgentSettings.PATH + ".run-id");
    if (runId.isBlank()) {
      runId = AgentSettings.mintRunId();
      config =
          config.withValue(AgentSettings.PATH + ".run-id", ConfigValueFactory.fromAnyRef(runId));
    }
    AgentSettings settings = AgentSettings.create(config);
    settings.learning().checkWarmStart();
    System.out.println("jitsparse: run id " + runId);
    ClusterNode node =
        ClusterNode.start(
            config,
            Set.of(ServiceKeys.AGENT_ROLE),
            runId,
            System.out,
            (ctx, n) -> {
              Roles.spawnAgent(ctx, n, settings);
              Roles.spawnBudget(ctx, n, settings.learning().budget(), "jitsparse agent-node");
              return Behaviors.empty();
            });
    int code = node.awaitTermination();
    if (!settings.learning().out().isEmpty()) {
      Path out = Path.of(settings.learning().out());
      try {
        List<CurvePoint> curve = LearnerCurve.read(out);
        ReportWriter.write(
            out,
            new ReportData(
                "jitsparse agent-node " + runId,
                "",
                Double.NaN,
                0,
                List.of(),
                curve,
                List.of(),
                Map.of("run_id", runId, "budget", settings.learning().budget().toString())));
        System.out.println(
            "jitsparse: learning curve of "
                + curve.size()
                + " episodes in "
                + out.toAbsolutePath());
      } catch (IOException | RuntimeException e) {
        System.err.println("jitsparse agent-node: learning curve not written: " + e.getMessage());
      }
    }
    return code;
  }
}
