package io.jitsparse.cli;

import com.typesafe.config.Config;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.ServiceKeys;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jitsparse env-node}: a node with role {@code env} that runs N Trainer actors. */
@Command(
    name = "env-node",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Starts an env-node: N trainers, each training its own sparse network and asking the"
          + " agent for per-layer densities every decision interval. Episodes go to"
          + " OUT/episodes.jsonl. Ctrl-C ends every episode as aborted and leaves the cluster.",
      "Exit codes: 0 done, 2 bad input, 3 downed or removed by the cluster (restart it), 4 could not join the cluster."
    })
final class EnvNodeCommand extends NodeCommand {

  static CommandLine commandLine(Config config) {
    return commandLine(new EnvNodeCommand(), config, TrainerSettings.PATH);
  }

  @Override
  int run(Config config) {
    TrainerSettings settings = TrainerSettings.create(config);
    if (settings.runId().isEmpty()) {
      // The run label of a node's metrics is fixed at start; the agent's run id only reaches the
      // trainers later, at registration.
      System.out.println(
          "jitsparse: warning: no --run-id: this node's metrics carry run=\"\", so dashboards and"
              + " alerts that select the agent's run will not see them; pass the agent-node's run"
              + " id (docs/metrics.md)");
    }
    ClusterNode node =
        ClusterNode.start(
            config,
            Set.of(ServiceKeys.ENV_ROLE),
            settings.runId(),
            System.out,
            (ctx, n) -> Roles.trainingNode(ctx, n, settings, null));
    return node.awaitTermination();
  }
}
