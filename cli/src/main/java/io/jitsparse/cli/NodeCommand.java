package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.jitsparse.cli.node.ClusterNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Base of the commands that start a cluster node ({@code env-node}, {@code agent-node}, {@code
 * run}, {@code loadgen}): one flag per key of {@code jitsparse.node} and of the role sections, bad
 * flags and config values reported by name with exit code 2, and the node's lifetime.
 */
abstract class NodeCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  final List<ConfigOptions> sections = new ArrayList<>();
  Config config;

  /** Registers the flags of {@code jitsparse.node} and of {@code paths} on {@code cl}. */
  static <C extends NodeCommand> CommandLine commandLine(
      C command, Config config, String... paths) {
    CommandLine cl = new CommandLine(command);
    command.config = config;
    Set<String> taken = new HashSet<>();
    List<String> all = new ArrayList<>();
    all.add("jitsparse.node");
    all.addAll(List.of(paths));
    for (String path : all) {
      ConfigOptions o = new ConfigOptions(config, path);
      o.addTo(cl.getCommandSpec(), taken);
      taken.addAll(o.keys());
      command.sections.add(o);
    }
    return cl;
  }

  /** The config with every flag applied to its section. */
  Config effectiveConfig() {
    Config c = config;
    for (ConfigOptions o : sections) {
      c = o.applyTo(c);
    }
    return c;
  }

  @Override
  public final Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(effectiveConfig());
    } catch (IllegalArgumentException | ConfigException e) {
      err.println(
          "jitsparse "
              + spec.name()
              + ": "
              // node settings are named by their full key: the same keys come from the
              // environment (JITSPARSE_*) in Kubernetes, where no flag was typed
              + BadInput.describe(e));
      err.flush();
      return BaselineCommand.EXIT_BAD_INPUT;
    }
  }

  /** Starts the node and blocks until it stops; returns the exit code. */
  abstract int run(Config config);

  /** Exit code of a node that failed to join. */
  static final int EXIT_JOIN_FAILED = ClusterNode.EXIT_JOIN_FAILED;
}
