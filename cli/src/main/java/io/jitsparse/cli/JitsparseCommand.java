package io.jitsparse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jitsparse} command: learned and handcrafted sparsity schedules. */
@Command(
    name = "jitsparse",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Learns when and how much to sparsify each layer of a network while it trains.",
    subcommands = {DataCommand.class, CommandLine.HelpCommand.class})
public final class JitsparseCommand implements Runnable {

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with every subcommand. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new JitsparseCommand());
    com.typesafe.config.Config config = io.jitsparse.cli.node.NodeConfig.load();
    cl.addSubcommand("run", RunCommand.commandLine(config));
    cl.addSubcommand("env-node", EnvNodeCommand.commandLine(config));
    cl.addSubcommand("agent-node", AgentNodeCommand.commandLine(config));
    cl.addSubcommand("loadgen", LoadgenCommand.commandLine(config));
    cl.addSubcommand("baseline", BaselineCommand.commandLine(config));
    cl.addSubcommand("evaluate", EvaluateCommand.commandLine(config));
    // A bad flag is one line and a pointer to --help: the full usage (hundreds of lines for the
    // node commands) would bury the error. Set last: it reaches the subcommands present now.
    cl.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine bad = e.getCommandLine();
          String name = bad.getCommandSpec().qualifiedName();
          bad.getErr().println(name + ": " + e.getMessage());
          bad.getErr().println("(" + name + " --help lists every flag)");
          bad.getErr().flush();
          return BaselineCommand.EXIT_BAD_INPUT;
        });
    return cl;
  }

  /** Entry point. */
  public static void main(String[] args) {
    // slf4j 2 reports replaying early log calls at WARN; that start-up notice is noise here
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    System.exit(commandLine().execute(args));
  }
}
