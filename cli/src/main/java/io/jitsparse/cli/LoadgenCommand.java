package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.learner.LearnerGateway;
import io.jitsparse.cli.node.ClusterNode;
import io.jitsparse.cli.node.Roles;
import io.jitsparse.env.loadgen.LoadGenerator;
import io.jitsparse.env.loadgen.LoadReport;
import io.jitsparse.env.loadgen.LoadgenSettings;
import io.jitsparse.protocol.ServiceKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jitsparse loadgen}: joins the cluster as simulated trainers that speak the real wire
 * protocol without training, and reports the decision round trip and throughput.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Joins the cluster (--seed-node) as --trainers simulated trainers that send realistic"
          + " observations every --interval and prints the decision round trip (p50, p99, max),"
          + " observations/s, transitions/s reaching replay and what was dropped.",
      "Exit codes: 0 done, 2 bad input, 3 downed or removed by the cluster (restart it), 4 could not join the cluster."
    })
final class LoadgenCommand extends NodeCommand {

  @Option(
      names = "--embedded-agent",
      description =
          "Run an agent in this JVM too (no network between them): the one-JVM baseline of"
              + " bench/run cluster.")
  boolean embeddedAgent;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  static CommandLine commandLine(Config config) {
    Config defaults =
        ConfigFactory.parseMap(Map.of("jitsparse.node.port", 0, "jitsparse.node.http-port", -1))
            .withFallback(config);
    return commandLine(new LoadgenCommand(), defaults, LoadgenSettings.PATH);
  }

  @Override
  int run(Config config) {
    LoadgenSettings settings = LoadgenSettings.create(config);
    String runId = embeddedAgent ? AgentSettings.mintRunId() : "";
    AgentSettings agent = embeddedAgent ? AgentSettings.create(config) : null;
    Set<String> roles = new TreeSet<>(Set.of(ServiceKeys.ENV_ROLE));
    if (embeddedAgent) {
      roles.add(ServiceKeys.AGENT_ROLE);
    }
    AtomicReference<LoadReport> report = new AtomicReference<>();
    ClusterNode node =
        ClusterNode.start(
            config,
            roles,
            runId,
            System.out,
            (ctx, n) -> {
              if (agent != null) {
                // The first ClusterSingleton.init of a name defines the singleton: the real
                // learner must be initialised before the load generator asks for its proxy.
                LearnerGateway.init(ctx.getSystem(), agent, runId, n.meters().registry());
                Roles.spawnAgent(ctx, n, agent);
              }
              var reports =
                  ctx.spawn(
                      Behaviors.<LoadReport>receive(LoadReport.class)
                          .onMessage(
                              LoadReport.class,
                              r -> {
                                report.set(r);
                                Roles.stopNode(ctx, Roles.ENV_FINISHED);
                                return Behaviors.stopped();
                              })
                          .build(),
                      "report");
              ctx.spawn(LoadGenerator.create(settings, n.meters().registry(), reports), "loadgen");
              return Behaviors.empty();
            });
    int code = node.awaitTermination();
    LoadReport r = report.get();
    if (r == null) {
      return code == 0 ? 1 : code;
    }
    System.out.println(r.summaryLine());
    if (json != null) {
      try {
        if (json.toAbsolutePath().getParent() != null) {
          Files.createDirectories(json.toAbsolutePath().getParent());
        }
        Files.writeString(json, r.toJson());
      } catch (IOException e) {
        System.err.println("jitsparse loadgen: cannot write --json " + json + ": " + e);
        return BaselineCommand.EXIT_BAD_INPUT;
      }
    }
    return 0;
  }
}
