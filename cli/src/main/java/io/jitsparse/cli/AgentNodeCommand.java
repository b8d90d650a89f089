package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.protocol.ServiceKeys;
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
          + " learner (a cluster singleton). Mints the run id unless --run-id is given.",
      "Exit codes: 0 stopped, 2 bad input, 4 could not join the cluster."
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
    System.out.println("jitsparse: run id " + runId);
    ClusterNode node =
        ClusterNode.start(
            config,
            Set.of(ServiceKeys.AGENT_ROLE),
            runId,
            System.out,
            (ctx, n) -> {
              Roles.spawnAgent(ctx, n, settings);
              return Behaviors.empty();
            });
    return node.awaitTermination();
  }
}
