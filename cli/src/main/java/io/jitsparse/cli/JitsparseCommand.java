package io.jitsparse.cli;

import com.typesafe.config.ConfigFactory;
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
    cl.addSubcommand("baseline", BaselineCommand.commandLine(ConfigFactory.load()));
    return cl;
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
