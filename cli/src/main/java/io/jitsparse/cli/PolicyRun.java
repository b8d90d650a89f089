package io.jitsparse.cli;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.policy.GreedyPolicy;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.cli.evaluate.Evaluation;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.flops.TrainingFlops;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.BaselineRun;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.ProgressBar;
import io.jitsparse.env.train.RunResult;
import io.jitsparse.env.train.ScheduleLog;
import io.jitsparse.env.train.SchedulePlot;
import io.jitsparse.env.train.StepState;
import io.jitsparse.env.trainer.ControlledEpisode;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.Observation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code jitsparse baseline --method policy}: one network trained for the baseline's length ({@code
 * --epochs}) with the agent's greedy policy choosing the per-layer densities at every decision, as
 * one {@link ControlledEpisode}. It writes what a baseline run writes, so the two compare side by
 * side: {@code result.json} (the baseline's figures, with the policy, its version and the episode's
 * return), {@code schedule.csv} (a row per layer at every decision; {@code --method replay} replays
 * it) and {@code schedule.png}. It cannot be resumed: an episode keeps no checkpoint.
 *
 * <p>The episode's own settings (decision interval, budget and reference schedule, start density,
 * minimum layer density, validation batch, reward weight) are {@code jitsparse.env-node}'s, as in
 * training; the engine's (batch size, optimiser, learning-rate schedule) are the baseline's flags.
 * Its {@code validation_accuracy} is that of the episode's fixed validation batch ({@code
 * validation-samples}), not of the whole validation split.
 */
final class PolicyRun {

  /** Thrown from the progress listener to stop the episode when the user asks (Ctrl-C). */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super("stopped by user", null, false, false);
    }
  }

  private final BaselineSettings engine;
  private final GreedyPolicy policy;
  private final FashionMnist data;
  private final Path out;
  private final BooleanSupplier stop;
  private final PrintStream console;
  private final Map<String, Object> episodeFlags;

  /**
   * @param engine the run's validated baseline settings (method {@code static} stands for the
   *     policy: the engine only trains, the episode moves the masks)
   * @param policy the policy
   * @param data the data set
   * @param out the run's output folder
   * @param stop asked after every step; true stops the run
   * @param console where progress goes
   * @param episodeFlags keys of {@code jitsparse.env-node} given as flags ({@code
   *     decision-interval})
   */
  PolicyRun(
      BaselineSettings engine,
      GreedyPolicy policy,
      FashionMnist data,
      Path out,
      BooleanSupplier stop,
      PrintStream console,
      Map<String, Object> episodeFlags) {
    this.episodeFlags = Map.copyOf(episodeFlags);
    this.engine = engine;
    this.policy = policy;
    this.data = data;
    this.out = out;
    this.stop = stop;
    this.console = console;
  }

  /** Runs the episode and returns what was written to {@code result.json}. */
  Map<String, Object> run() throws IOException {
    long steps = Evaluation.stepsForEpochs(engine, data, engine.epochs());
    TrainerSettings s = episodeSettings(engine, steps, episodeFlags);
    Files.createDirectories(out);
    List<PrunableTensor> layers = ControlledEpisode.layers(s);
    console.printf(
        Locale.ROOT,
        "%s policy v%d (%s) target density %.4f seed %d: %d steps of batch %d, a decision every"
            + " %d -> %s%n",
        engine.model(),
        policy.version(),
        policy.source(),
        engine.density(),
        engine.seed(),
        steps,
        engine.batchSize(),
        s.decisionInterval(),
        out);
    long start = System.nanoTime();
    EpisodeSummary summary;
    List<ScheduleLog.Row> rows;
    Recorder recorder;
    try (ScheduleLog schedule =
        new ScheduleLog(
            out.resolve(BaselineRun.SCHEDULE_FILE),
            layers.stream().map(PrunableTensor::name).toList(),
            false)) {
      recorder =
          new Recorder(
              schedule, new ProgressBar(console, "steps", steps, 0, engine.progressSeconds()));
      try {
        summary =
            ControlledEpisode.run(s, engine.seed(), data, policy::decide, "baseline", recorder);
        recorder.flush();
      } catch (Stopped e) {
        recorder.flush();
        Map<String, Object> r = result(s, null, null, start, steps, layers);
        r.put("aborted", true);
        r.put("abort_reason", e.getMessage());
        RunResult.write(out, r);
        return r;
      }
      rows = schedule.rows();
    }
    Map<String, Object> r = result(s, summary, recorder.last, start, steps, layers);
    RunResult.write(out, r);
    SchedulePlot.write(
        rows,
        summary.getSteps(),
        engine.model() + " policy v" + policy.version() + " (density " + engine.density() + ")",
        out.resolve(BaselineRun.SCHEDULE_PLOT));
    return r;
  }

  /**
   * Shows progress, records the per-layer densities wherever they change (the steered GMP moves
   * masks between decisions too, so a replay of {@code schedule.csv} follows every move, one row
   * per layer and step) and the last observation, stops.
   */
  private final class Recorder implements ControlledEpisode.ProgressListener {

    private final ScheduleLog schedule;
    private final ProgressBar bar;
    private Observation last;
    private long pendingStep = -1;
    private double[] pending;
    private double[] logged;

    Recorder(ScheduleLog schedule, ProgressBar bar) {
      this.schedule = schedule;
      this.bar = bar;
    }

    @Override
    public void stepped(StepState st, long totalSteps) {
      note(st.step(), st.densities());
      bar.update(
          st.step(),
          engine.batchSize(),
          String.format(Locale.ROOT, "loss %.4f acc %.3f", st.loss(), st.accuracy()));
      if (stop.getAsBoolean()) {
        throw new Stopped();
      }
    }

    @Override
    public void decided(Observation o) {
      last = o;
      // a decision at a step replaces what the step's own mask update left there
      note(o.getStep(), MoveSet.densities(o));
    }

    private void note(long step, double[] densities) {
      if (step != pendingStep) {
        flush();
      }
      pendingStep = step;
      pending = densities.clone();
    }

    /** Writes the pending step's densities when they differ from the last written. */
    void flush() {
      if (pending != null && (logged == null || !java.util.Arrays.equals(pending, logged))) {
        schedule.log(pendingStep, pending);
        logged = pending;
      }
      pending = null;
    }
  }

  /**
   * The episode settings of a policy run: {@code jitsparse.env-node} with the baseline's model,
   * density, criteria, sample limit and length, over the baseline's engine settings, and the
   * episode keys the command was given as flags.
   */
  static TrainerSettings episodeSettings(
      BaselineSettings engine, long steps, Map<String, Object> episodeFlags) {
    Map<String, Object> paths = new LinkedHashMap<>();
    episodeFlags.forEach((k, v) -> paths.put(TrainerSettings.PATH + "." + k, v));
    engine.toMap().forEach((k, v) -> paths.put(BaselineSettings.PATH + "." + k, v));
    paths.put(TrainerSettings.PATH + ".model", engine.model());
    paths.put(TrainerSettings.PATH + ".width", engine.width());
    paths.put(TrainerSettings.PATH + ".density", engine.density());
    paths.put(TrainerSettings.PATH + ".prune", engine.prune());
    paths.put(TrainerSettings.PATH + ".grow", engine.grow());
    paths.put(TrainerSettings.PATH + ".seed", engine.seed());
    paths.put(TrainerSettings.PATH + ".train-samples", engine.trainSamples());
    // The baseline evaluates the whole test set; so does its policy run.
    paths.put(TrainerSettings.PATH + ".test-samples", 0);
    paths.put(TrainerSettings.PATH + ".episode-steps", steps);
    return TrainerSettings.create(
        ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()).resolve());
  }

  private Map<String, Object> result(
      TrainerSettings s,
      EpisodeSummary summary,
      Observation last,
      long startNanos,
      long totalSteps,
      List<PrunableTensor> layers) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Object> config = new LinkedHashMap<>(engine.toMap());
    config.put("method", "policy");
    config.put("policy", policy.source().toString());
    config.put("decision-interval", s.decisionInterval());
    config.put("start-density", s.startDensity());
    config.put("compute-budget", s.budget());
    config.put("reference", s.referenceKeys());
    config.put("min-layer-density", s.minLayerDensity());
    config.put("validation-samples", s.validationSamples());
    config.put("flops-weight", s.flopsWeight());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("config", config);
    r.put("seed", engine.seed());
    r.put("versions", RunResult.versions());
    r.put("data", Map.of("source", data.source(), "sha256", data.fileHashes()));
    r.put("policy_version", policy.version());
    r.put("total_steps", totalSteps);
    if (summary == null) {
      return r;
    }
    r.put("aborted", summary.getAborted());
    if (summary.getAborted()) {
      r.put("abort_reason", summary.getAbortReason());
    }
    r.put("test_accuracy", summary.getTestAccuracy());
    r.put("validation_accuracy", last == null ? 0.0 : last.getValidationAccuracy());
    r.put("global_density", summary.getGlobalDensity());
    Map<String, Object> layerDensities = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      List<Double> d = summary.getSchedule(i).getDensityList();
      layerDensities.put(layers.get(i).name(), d.get(d.size() - 1));
    }
    r.put("layer_densities", layerDensities);
    r.put("training_flops", summary.getTrainingFlops());
    double dense = new TrainingFlops(layers).denseRun(summary.getSteps(), engine.batchSize());
    r.put("flops_vs_dense", dense > 0 ? summary.getTrainingFlops() / dense : 0.0);
    r.put("return", summary.getReturn());
    r.put("wall_seconds", seconds);
    r.put(
        "samples_per_second",
        seconds > 0 ? summary.getSteps() * (double) engine.batchSize() / seconds : 0.0);
    r.put("steps", summary.getSteps());
    r.put("decisions", summary.getDecisionStepsCount());
    return r;
  }
}
