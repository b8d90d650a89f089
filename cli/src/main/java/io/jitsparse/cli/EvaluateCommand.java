package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.policy.ShippedPolicies;
import io.jitsparse.cli.evaluate.Baselines;
import io.jitsparse.cli.evaluate.Evaluation;
import io.jitsparse.cli.evaluate.EvaluationRows;
import io.jitsparse.cli.report.MethodResult;
import io.jitsparse.cli.report.PairedComparison;
import io.jitsparse.cli.report.ReportData;
import io.jitsparse.cli.report.ReportWriter;
import io.jitsparse.cli.report.SeedResult;
import io.jitsparse.env.data.DataFileException;
import io.jitsparse.env.data.DataUnavailableException;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.trainer.TrainerData;
import io.jitsparse.env.trainer.TrainerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jitsparse evaluate}: runs an {@link Evaluation} in this JVM (no cluster) and writes its
 * report. The episodes are configured by the keys of {@code jitsparse.env-node} that shape an
 * episode (model, density, length, decision interval, wall, reward, sample limits), each a flag;
 * the engine's batch size, optimiser and learning rate come from {@code jitsparse.baseline}.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Compares the learned policy (--policy, row 'learned') with handcrafted sparsity methods"
          + " (--baselines) at the same model, target density, episode length and seeds, prints a"
          + " table (mean +- std test accuracy, final density, training FLOPs) and writes the"
          + " report (report.html, comparison.json/csv, plots) to --out.",
      "Exit codes: 0 done, 2 bad input."
    })
final class EvaluateCommand implements Callable<Integer> {

  /** Full batches of Fashion-MNIST's 60,000 training images at batch 1, the most an epoch has. */
  private static final long MAX_BATCHES_PER_EPOCH = 60_000;

  /**
   * Keys of {@code jitsparse.env-node} that are not flags here: they configure the trainer actor,
   * its node and its link to the agent, none of which an evaluation has ({@code seed} is replaced
   * by {@code --seeds}, {@code out} by this command's own; a controller never falls back).
   */
  private static final Set<String> NOT_FLAGS =
      Set.of(
          "trainers",
          "episodes",
          "seed",
          "out",
          "run-id",
          "fallback-schedule",
          "register-retry",
          "ack-timeout",
          "agent-timeout",
          "max-unacked-observations",
          "max-pending-summaries",
          "step-state-batch");

  @Option(
      names = "--policy",
      paramLabel = "CKPT",
      description =
          "The learner checkpoint whose greedy policy is evaluated (a policy-*.ckpt file, a"
              + " folder holding some: the newest is taken, or the name of a shipped policy in"
              + " policies/). Without it only --baselines run.")
  private String policyCheckpoint;

  @Option(
      names = "--seeds",
      split = ",",
      paramLabel = "SEED",
      defaultValue = "1,2,3",
      description = "Seeds every method runs with (comma-separated).")
  private List<Long> seeds = new ArrayList<>();

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description =
          "Episode length in epochs over the training split (instead of --episode-steps).")
  private Integer epochs;

  @Option(
      names = "--baselines",
      split = ",",
      paramLabel = "NAME",
      defaultValue = Baselines.DEFAULTS,
      description =
          "Handcrafted methods to compare (comma-separated): gmp-<schedule>, dst-<decay>[-set|-snfs],"
              + " static-<distribution>, dense.")
  private List<String> baselines = new ArrayList<>();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder with the four Fashion-MNIST IDX files. Default: the system or project-local"
              + " copy, fetched when missing.")
  private Path dataDir;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/evaluate",
      description = "Output folder of the report.")
  private Path out;

  @Option(
      names = "--resume",
      description =
          "Continue an evaluation stopped part-way: the rows already in --out's "
              + EvaluationRows.FILE
              + " (same settings) are not run again.")
  private boolean resume;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private Config config;
  private ConfigOptions episodeOptions;

  /** The command with one flag per episode key of {@code jitsparse.env-node}. */
  static CommandLine commandLine(Config config) {
    EvaluateCommand command = new EvaluateCommand();
    CommandLine cl = new CommandLine(command);
    command.config = config;
    command.episodeOptions = new ConfigOptions(config, TrainerSettings.PATH);
    command.episodeOptions.addTo(cl.getCommandSpec(), NOT_FLAGS);
    return cl;
  }

  @Override
  public Integer call() {
    PrintWriter console = spec.commandLine().getOut();
    PrintWriter errors = spec.commandLine().getErr();
    try {
      return execute(console);
    } catch (IllegalArgumentException
        | ConfigException
        | DataFileException
        | DataUnavailableException e) {
      errors.println("jitsparse evaluate: " + BadInput.describe(e, TrainerSettings.PATH));
      return BaselineCommand.EXIT_BAD_INPUT;
    } catch (IOException e) {
      errors.println("jitsparse evaluate: " + e.getMessage());
      return BaselineCommand.EXIT_BAD_INPUT;
    } finally {
      console.flush();
      errors.flush();
    }
  }

  private int execute(PrintWriter console) throws IOException {
    boolean stepsGiven = spec.commandLine().getParseResult().hasMatchedOption("--episode-steps");
    if (epochs != null && stepsGiven) {
      throw new IllegalArgumentException(
          "--episode-steps and --epochs: give the episode length in one of them");
    }
    Config c = episodeOptions.applyTo(config);
    if (epochs != null) {
      if (epochs < 1) {
        throw new IllegalArgumentException("--epochs: " + epochs + " is invalid, expected >= 1");
      }
      // Checked against the longest length the epochs can give until the data set says the exact
      // one (a decision interval in steps must fit in the episode that --epochs makes).
      c =
          c.withValue(
              TrainerSettings.PATH + ".episode-steps",
              ConfigValueFactory.fromAnyRef((long) epochs * MAX_BATCHES_PER_EPOCH));
    }
    // Every flag is checked before the data set is loaded, which takes seconds.
    TrainerSettings settings = TrainerSettings.create(c);
    Evaluation.Policy policy = policyCheckpoint == null ? null : policy(policyCheckpoint);
    new Evaluation(settings, seeds, policy, baselines);
    OutputFolder.prepare(out, "--out");
    FashionMnist data =
        TrainerData.limitTest(
            new FashionMnistLocator(
                    Path.of(settings.engine(seeds.get(0)).dataHome()), console::println)
                .load(dataDir),
            settings.testSamples());
    if (epochs != null) {
      long steps = Evaluation.stepsForEpochs(settings.engine(seeds.get(0)), data, epochs);
      settings =
          TrainerSettings.create(
              c.withValue(
                  TrainerSettings.PATH + ".episode-steps", ConfigValueFactory.fromAnyRef(steps)));
    }
    Evaluation evaluation = new Evaluation(settings, seeds, policy, baselines);
    EvaluationRows rows = new EvaluationRows(out, evaluation.recordedSettings());
    if (!resume && Files.exists(rows.file())) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " holds the rows of an earlier evaluation ("
              + rows.file()
              + "): give --resume to continue it, or another --out");
    }
    var done = resume ? rows.read() : java.util.Map.<String, java.util.Map<Long, SeedResult>>of();
    ReportData report = evaluation.run(data, console, done, rows::append);
    printTable(console, report);
    ReportWriter.write(out, report);
    console.println("report: " + out.resolve(ReportWriter.HTML).toAbsolutePath());
    return 0;
  }

  /** The greedy policy of a learner checkpoint, as the evaluation's {@code learned} method. */
  private static Evaluation.Policy policy(String checkpoint) throws IOException {
    GreedyPolicy p;
    try {
      p =
          GreedyPolicy.load(
              ShippedPolicies.resolve(checkpoint)
                  .orElseThrow(() -> new IOException("no policy given")));
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("--policy " + checkpoint + ": " + e.getMessage(), e);
    }
    return new Evaluation.Policy(
        p::decide, "greedy policy version " + p.version() + " of " + p.source());
  }

  static void printTable(PrintWriter console, ReportData report) {
    PairedComparison paired = PairedComparison.of(report);
    console.printf(
        Locale.ROOT,
        "%-18s %-19s %8s %13s %9s %9s %-29s%n",
        "method",
        "test accuracy",
        "density",
        "train FLOPs",
        "train/ref",
        "infer/ref",
        "vs strongest [95% CI], points");
    for (MethodResult m : report.methods()) {
      String diff =
          paired
              .of(m)
              .map(
                  d ->
                      String.format(
                          Locale.ROOT,
                          "%+.2f [%+.2f, %+.2f]",
                          d.mean() * 100,
                          d.low() * 100,
                          d.high() * 100))
              .orElse("n/a");
      console.printf(
          Locale.ROOT,
          "%-18s %.4f +- %-9.4f %8.4f %13.4e %9.3f %9.3f %-29s%n",
          m.method(),
          m.meanTestAccuracy(),
          m.stdTestAccuracy(),
          m.meanGlobalDensity(),
          m.meanTrainingFlops(),
          m.meanTrainingFlopsVsReference(),
          m.meanInferenceFlopsVsReference(),
          diff);
    }
    paired
        .strongest()
        .ifPresent(
            b ->
                console.printf(
                    Locale.ROOT,
                    "strongest baseline: %s (%.4f); train/ref and infer/ref: FLOPs over the budget"
                        + " reference's (cubic GMP with ERK)%n",
                    b.method(),
                    b.meanTestAccuracy()));
  }
}
