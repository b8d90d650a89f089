package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.policy.ShippedPolicies;
import io.jitsparse.env.data.DataFileException;
import io.jitsparse.env.data.DataUnavailableException;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.method.RecordedSchedule;
import io.jitsparse.env.train.BaselineRun;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.Checkpoint;
import io.jitsparse.env.train.NonFiniteLossException;
import io.jitsparse.env.train.RunResult;
import io.jitsparse.env.train.SeedSummary;
import io.jitsparse.env.trainer.TrainerSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jitsparse baseline}: trains one handcrafted sparsity method end to end (every {@code
 * jitsparse.baseline} config key is a flag) and writes result, schedule, plot and checkpoint.
 */
@Command(
    name = "baseline",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Trains a network with a handcrafted sparsity method (dense, static, gmp, dst,"
          + " dst-thresholds), replays a recorded schedule.csv (--method replay --schedule-file"
          + " FILE) or runs the agent's greedy policy (--method policy --policy CKPT), and writes result.json, schedule.csv, schedule.png, steps.csv"
          + " and a checkpoint to --out.",
      "Exit codes: 0 done, 2 bad input, 3 loss diverged, 130 stopped by Ctrl-C."
    })
public final class BaselineCommand implements Callable<Integer> {

  /** Exit code for bad input (flags, config, data files). */
  static final int EXIT_BAD_INPUT = 2;

  /** Exit code for a diverged loss. */
  static final int EXIT_DIVERGED = 3;

  /** Exit code for a run stopped by Ctrl-C. */
  static final int EXIT_INTERRUPTED = 130;

  /** The method that runs the agent's greedy policy instead of an engine method. */
  static final String POLICY = "policy";

  /** Seconds the shutdown hook waits for a run to write its checkpoint. */
  private static final long SHUTDOWN_WAIT_SECONDS = 120;

  @Option(
      names = "--seeds",
      split = ",",
      paramLabel = "SEED",
      description =
          "Run several seeds (comma-separated) into OUT/seed-N and write OUT/summary.json with"
              + " mean and std; overrides --seed.")
  private List<Long> seeds = new ArrayList<>();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder with the four Fashion-MNIST IDX files (gzipped or raw); structural checks only."
              + " Default: the system or project-local copy, fetched when missing.")
  private Path dataDir;

  @Option(
      names = "--policy",
      paramLabel = "CKPT",
      description =
          "Method policy: the learner checkpoint whose greedy policy chooses the per-layer"
              + " densities every decision interval (a policy-*.ckpt file, or a folder holding"
              + " some: the newest is taken).")
  private String policyCheckpoint;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/baseline",
      description = "Output folder.")
  private Path out;

  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Continue the stopped run whose --out folder is DIR from its last checkpoint (its own"
              + " settings are used; other flags are ignored).")
  private Path resume;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private ConfigOptions configOptions;

  /** The episode keys of {@code jitsparse.env-node} that {@code --method policy} takes as flags. */
  static final Set<String> POLICY_EPISODE_FLAGS = Set.of("decision-interval");

  private ConfigOptions episodeOptions;
  private final PrintStream console = System.out;

  /** The command with one flag per {@code jitsparse.baseline} key. */
  static CommandLine commandLine(Config config) {
    BaselineCommand command = new BaselineCommand();
    CommandLine cl = new CommandLine(command);
    command.configOptions = new ConfigOptions(config, BaselineSettings.PATH);
    command.configOptions.addTo(cl.getCommandSpec());
    // The policy's decision interval, the same flag as evaluate's (its help and default come from
    // jitsparse.env-node); the other episode keys follow from the baseline's own settings.
    command.episodeOptions = new ConfigOptions(config, TrainerSettings.PATH);
    Set<String> notFlags = new HashSet<>(config.getConfig(TrainerSettings.PATH).root().keySet());
    notFlags.removeAll(POLICY_EPISODE_FLAGS);
    command.episodeOptions.addTo(cl.getCommandSpec(), notFlags);
    return cl;
  }

  @Override
  public Integer call() {
    java.io.PrintWriter errors = spec.commandLine().getErr();
    AtomicBoolean stop = new AtomicBoolean();
    ShutdownHold hold =
        ShutdownHold.install(
            "jitsparse-shutdown", Duration.ofSeconds(SHUTDOWN_WAIT_SECONDS), () -> stop.set(true));
    try {
      return execute(stop, errors);
    } catch (IllegalArgumentException | DataFileException | DataUnavailableException e) {
      errors.println(
          "jitsparse baseline: "
              + BadInput.describe(e, BaselineSettings.PATH, TrainerSettings.PATH));
      return EXIT_BAD_INPUT;
    } catch (NonFiniteLossException e) {
      errors.println(
          "jitsparse baseline: "
              + e.getMessage()
              + "; the run stopped, its partial result.json is marked aborted and the last good"
              + " checkpoint is kept");
      return EXIT_DIVERGED;
    } catch (IOException e) {
      errors.println("jitsparse baseline: " + e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (java.io.UncheckedIOException e) {
      // a write of the schedule log (a full disk): its message names the file
      errors.println("jitsparse baseline: " + e.getMessage() + ": " + e.getCause().getMessage());
      return EXIT_BAD_INPUT;
    } finally {
      errors.flush();
      hold.release();
    }
  }

  /**
   * A new run never writes over an earlier one: a folder holding a result or a checkpoint is
   * refused (naming {@code --resume} for a stopped run), and the output folder must be writable,
   * all before any data is loaded.
   */
  private void refuseFinishedOrStopped(List<Path> dirs) {
    for (Path dir : dirs) {
      if (Files.exists(dir.resolve(RunResult.FILE)) || Checkpoint.exists(dir)) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " already holds a run ("
                + dir
                + "): continue a stopped one with --resume "
                + out
                + ", or give another --out");
      }
    }
    OutputFolder.prepare(out, "--out");
  }

  private int execute(AtomicBoolean stop, java.io.PrintWriter errors) throws IOException {
    List<Path> runDirs = new ArrayList<>();
    List<BaselineSettings> runs = new ArrayList<>();
    Path root;
    if (resume != null) {
      root = resume;
      for (Path dir : resumableRuns(resume)) {
        runDirs.add(dir);
        runs.add(settingsOf(dir));
      }
      if (runDirs.stream().allMatch(BaselineCommand::finished)) {
        // Resuming would train nothing and write a result.json of zero samples/s over the real one.
        java.io.PrintWriter said = spec.commandLine().getOut();
        said.println(
            "jitsparse baseline: "
                + resume
                + " is finished (its result.json is complete); nothing to resume");
        said.flush();
        return 0;
      }
    } else {
      root = out;
      Map<String, Object> overrides = configOptions.overrides();
      Object method = overrides.get("method");
      if (method != null
          && !POLICY.equals(method)
          && !BaselineSettings.METHODS.contains(String.valueOf(method))) {
        throw new IllegalArgumentException(
            "--method "
                + method
                + ": expected one of "
                + String.join(", ", BaselineSettings.METHODS)
                + ", "
                + POLICY);
      }
      if (POLICY.equals(method)) {
        return executePolicy(overrides, stop, errors);
      }
      for (String key : POLICY_EPISODE_FLAGS) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--" + key)) {
          throw new IllegalArgumentException("--" + key + " is for --method policy");
        }
      }
      if (policyCheckpoint != null) {
        throw new IllegalArgumentException("--policy is for --method policy");
      }
      if (seeds.isEmpty()) {
        runs.add(settings(overrides, null));
        runDirs.add(out);
      } else {
        for (long seed : seeds) {
          runs.add(settings(overrides, seed));
          runDirs.add(out.resolve("seed-" + seed));
        }
      }
      refuseFinishedOrStopped(runDirs);
    }
    for (BaselineSettings r : runs) {
      if (r.method().equals("replay")) {
        // A malformed schedule fails now, not after the data set is loaded.
        RecordedSchedule.read(Path.of(r.scheduleFile()));
      }
    }
    BaselineSettings first = runs.get(0);
    FashionMnist data =
        new FashionMnistLocator(Path.of(first.dataHome()), console::println).load(dataDir);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      if (resume != null && finished(runDirs.get(i))) {
        results.add(RunResult.read(runDirs.get(i).resolve(RunResult.FILE)));
        continue;
      }
      Map<String, Object> r =
          new BaselineRun(runs.get(i), data, runDirs.get(i), stop::get, console)
              .run(resume != null);
      results.add(r);
      printResult(runDirs.get(i), r);
      if (Boolean.TRUE.equals(r.get("aborted"))) {
        errors.println(
            "stopped: checkpoint and partial result written to "
                + runDirs.get(i)
                + "; continue with: jitsparse baseline --resume "
                + root);
        return EXIT_INTERRUPTED;
      }
    }
    writeSummary(root, results);
    return 0;
  }

  /**
   * {@code --method policy}: a {@link PolicyRun} per seed. The engine settings are validated with
   * method {@code static}, which is what the engine runs under the policy (it only trains; the
   * episode moves the masks).
   */
  private int executePolicy(
      Map<String, Object> overrides, AtomicBoolean stop, java.io.PrintWriter errors)
      throws IOException {
    if (policyCheckpoint == null) {
      throw new IllegalArgumentException(
          "--method policy needs --policy CKPT, the learner checkpoint to run");
    }
    Map<String, Object> asStatic = new HashMap<>(overrides);
    asStatic.put("method", "static");
    List<BaselineSettings> runs = new ArrayList<>();
    List<Path> runDirs = new ArrayList<>();
    if (seeds.isEmpty()) {
      runs.add(settings(asStatic, null));
      runDirs.add(out);
    } else {
      for (long seed : seeds) {
        runs.add(settings(asStatic, seed));
        runDirs.add(out.resolve("seed-" + seed));
      }
    }
    refuseFinishedOrStopped(runDirs);
    GreedyPolicy policy;
    try {
      policy =
          GreedyPolicy.load(
              ShippedPolicies.resolve(policyCheckpoint)
                  .orElseThrow(() -> new IOException("no policy given")));
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("--policy " + policyCheckpoint + ": " + e.getMessage(), e);
    }
    FashionMnist data =
        new FashionMnistLocator(Path.of(runs.get(0).dataHome()), console::println).load(dataDir);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      Map<String, Object> r =
          new PolicyRun(
                  runs.get(i),
                  policy,
                  data,
                  runDirs.get(i),
                  stop::get,
                  console,
                  episodeOptions.overrides())
              .run();
      if (Boolean.TRUE.equals(r.get("aborted"))) {
        if (!r.containsKey("test_accuracy")) {
          errors.println("stopped: partial result written to " + runDirs.get(i));
          return EXIT_INTERRUPTED;
        }
        errors.println(
            "jitsparse baseline: "
                + r.get("abort_reason")
                + "; the run stopped ("
                + runDirs.get(i)
                + ")");
        return EXIT_DIVERGED;
      }
      results.add(r);
      printResult(runDirs.get(i), r);
    }
    writeSummary(out, results);
    return 0;
  }

  /** With several seeds: {@code summary.json} (mean and std) in {@code root}. */
  private void writeSummary(Path root, List<Map<String, Object>> results) throws IOException {
    if (results.size() > 1) {
      Map<String, Object> summary = SeedSummary.of(results);
      RunResult.writeJson(root.resolve("summary.json"), summary);
      console.println("summary: " + root.resolve("summary.json"));
      console.println(SeedSummary.describe(summary));
    }
  }

  private BaselineSettings settings(Map<String, Object> overrides, Long seed) {
    Map<String, Object> all = new HashMap<>(overrides);
    if (seed != null) {
      all.put("seed", seed);
    }
    return BaselineSettings.withOverrides(ConfigFactory.load(), all);
  }

  private static BaselineSettings settingsOf(Path runDir) throws IOException {
    return BaselineSettings.withOverrides(
        ConfigFactory.load(), Checkpoint.readProgress(runDir).settings());
  }

  /**
   * Whether the run in {@code dir} ran to its end: its {@code result.json} is there and not marked
   * aborted. A finished run keeps its final checkpoint, so the checkpoint alone does not tell.
   */
  private static boolean finished(Path dir) {
    Path file = dir.resolve(RunResult.FILE);
    if (!Files.exists(file)) {
      return false;
    }
    try {
      return Boolean.FALSE.equals(RunResult.read(file).get("aborted"));
    } catch (IOException e) {
      // unreadable: not known to be finished, so the run resumes and writes it anew
      return false;
    }
  }

  private static List<Path> resumableRuns(Path dir) throws IOException {
    if (Checkpoint.exists(dir)) {
      return List.of(dir);
    }
    List<Path> seedDirs;
    try (Stream<Path> s = Files.list(dir)) {
      seedDirs =
          s.filter(p -> p.getFileName().toString().startsWith("seed-") && Checkpoint.exists(p))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new IOException("--resume " + dir + ": cannot read the folder: " + e.getMessage(), e);
    }
    if (seedDirs.isEmpty()) {
      throw new IllegalArgumentException(
          "--resume " + dir + ": no checkpoint found (expected " + dir + "/checkpoint)");
    }
    return seedDirs;
  }

  private void printResult(Path dir, Map<String, Object> r) {
    console.printf(
        java.util.Locale.ROOT,
        "result: test accuracy %.4f, validation accuracy %.4f, global density %.4f,"
            + " training FLOPs %.3e (%.3f x dense), %.0f samples/s -> %s%n",
        ((Number) r.get("test_accuracy")).doubleValue(),
        ((Number) r.get("validation_accuracy")).doubleValue(),
        ((Number) r.get("global_density")).doubleValue(),
        ((Number) r.get("training_flops")).doubleValue(),
        ((Number) r.get("flops_vs_dense")).doubleValue(),
        ((Number) r.get("samples_per_second")).doubleValue(),
        dir.resolve(RunResult.FILE));
  }
}
