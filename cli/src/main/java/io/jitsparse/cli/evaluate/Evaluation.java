package io.jitsparse.cli.evaluate;

import io.jitsparse.cli.report.MethodResult;
import io.jitsparse.cli.report.ReportData;
import io.jitsparse.cli.report.SeedResult;
import io.jitsparse.env.data.DataSplit;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.ProgressBar;
import io.jitsparse.env.train.RunResult;
import io.jitsparse.env.trainer.ControlledEpisode;
import io.jitsparse.env.trainer.DensityController;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerSchedule;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Compares the learned policy with handcrafted methods at the same episode length and seeds: for
 * every method and every seed one episode of {@code episode-steps} steps on the same model and
 * target density, the policy through a {@link ControlledEpisode} (method {@code learned}) and each
 * baseline as an engine method over the same episode ({@link Baselines}). Every method of a seed
 * gets the same initialisation seed, data order, batch size, optimiser, learning-rate schedule and
 * step budget (all from the one {@link TrainerSettings}), so the rows differ only in how the masks
 * move. Runs in the caller's thread, one episode after the other, and prints a line per finished
 * episode with the elapsed time and an estimate of the time left.
 */
public final class Evaluation {

  /**
   * The learned policy to evaluate.
   *
   * @param controller the policy's greedy choice at each decision
   * @param description how it was obtained (checkpoint, version), for the report
   */
  public record Policy(DensityController controller, String description) {}

  private final TrainerSettings settings;
  private final List<Long> seeds;
  private final Policy policy;
  private final List<Baselines.Baseline> baselines;

  /**
   * @param settings the episodes' settings (model, target density, length, decision interval, wall,
   *     reward, sample limits; the engine's from {@code jitsparse.baseline})
   * @param seeds the seeds every method runs with, in order
   * @param policy the learned policy, or null to evaluate baselines only
   * @param baselines baseline names ({@link Baselines#names()})
   * @throws IllegalArgumentException when there are no seeds, nothing to evaluate, or an unknown
   *     baseline (listing the known ones)
   */
  public Evaluation(
      TrainerSettings settings, List<Long> seeds, Policy policy, List<String> baselines) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("--seeds: give at least one seed");
    }
    if (policy == null && baselines.isEmpty()) {
      throw new IllegalArgumentException("nothing to evaluate: give --policy or --baselines");
    }
    this.settings = settings;
    this.seeds = List.copyOf(seeds);
    this.policy = policy;
    List<Baselines.Baseline> b = new ArrayList<>();
    for (String name : baselines) {
      try {
        b.add(Baselines.byName(name, settings.decisionInterval()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--baselines: " + e.getMessage(), e);
      }
    }
    this.baselines = List.copyOf(b);
    // Fail on a baseline whose keys the engine rejects now, not after hours of other episodes.
    for (Baselines.Baseline baseline : this.baselines) {
      settings.engine(seeds.get(0), baseline.keys());
    }
  }

  /**
   * Training steps of {@code epochs} epochs over the training split the episodes use ({@code
   * train-samples}, {@code validation-fraction}, full batches of the engine's batch size).
   */
  public static long stepsForEpochs(BaselineSettings engine, FashionMnist data, int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs: " + epochs + " is invalid, expected >= 1");
    }
    DataSplit split =
        new DataSplit(
            data,
            engine.seed(),
            engine.validationFraction(),
            engine.trainSamples() > 0
                ? OptionalInt.of(engine.trainSamples())
                : OptionalInt.empty());
    return (long) split.trainBatchesPerEpoch(engine.batchSize()) * epochs;
  }

  /**
   * Runs every method on every seed.
   *
   * @param data the data set
   * @param progress gets a line per finished episode
   * @return the comparison, {@code learned} first when there is a policy; no learning curve
   */
  public ReportData run(FashionMnist data, PrintWriter progress) {
    int total = seeds.size() * (baselines.size() + (policy == null ? 0 : 1));
    long start = System.nanoTime();
    int done = 0;
    List<MethodResult> methods = new ArrayList<>();
    if (policy != null) {
      List<SeedResult> results = new ArrayList<>();
      for (long seed : seeds) {
        EpisodeSummary s =
            ControlledEpisode.run(
                settings, seed, data, policy.controller(), trainerId(MethodResult.LEARNED), null);
        results.add(finished(MethodResult.LEARNED, s, ++done, total, start, progress));
      }
      methods.add(new MethodResult(MethodResult.LEARNED, policy.description(), results));
    }
    for (Baselines.Baseline b : baselines) {
      List<SeedResult> results = new ArrayList<>();
      for (long seed : seeds) {
        EpisodeSummary s =
            ControlledEpisode.runMethod(settings, seed, data, b.keys(), trainerId(b.name()), null);
        results.add(finished(b.name(), s, ++done, total, start, progress));
      }
      methods.add(new MethodResult(b.name(), b.description(), results));
    }
    List<PrunableTensor> layers = ControlledEpisode.layers(settings);
    return new ReportData(
        String.format(
            Locale.ROOT,
            "jitsparse evaluate: %s at density %s, %d steps",
            settings.model(),
            settings.density(),
            settings.episodeSteps()),
        settings.model(),
        settings.density(),
        settings.episodeSteps(),
        layers.stream().map(PrunableTensor::name).toList(),
        List.of(),
        methods,
        recordedSettings(),
        layers.stream().map(PrunableTensor::size).toList());
  }

  private static String trainerId(String method) {
    return "evaluate-" + method;
  }

  private SeedResult finished(
      String method, EpisodeSummary s, int done, int total, long start, PrintWriter progress) {
    double elapsed = (System.nanoTime() - start) / 1e9;
    double eta = elapsed / done * (total - done);
    progress.printf(
        Locale.ROOT,
        "[%d/%d] %s seed %d: test accuracy %.4f, density %.4f, %.3e training FLOPs%s"
            + " (elapsed %s, ETA %s)%n",
        done,
        total,
        method,
        s.getSeed(),
        s.getTestAccuracy(),
        s.getGlobalDensity(),
        s.getTrainingFlops(),
        s.getAborted() ? ", ABORTED: " + s.getAbortReason() : "",
        ProgressBar.formatDuration(elapsed),
        ProgressBar.formatDuration(eta));
    progress.flush();
    return toSeedResult(s);
  }

  /** The summary as the report shows it: per-layer schedules turned into one row per decision. */
  static SeedResult toSeedResult(EpisodeSummary s) {
    List<double[]> schedule = new ArrayList<>();
    for (int k = 0; k < s.getDecisionStepsCount(); k++) {
      double[] d = new double[s.getScheduleCount()];
      for (LayerSchedule l : s.getScheduleList()) {
        d[l.getIndex()] = l.getDensity(k);
      }
      schedule.add(d);
    }
    return new SeedResult(
        s.getSeed(),
        s.getTestAccuracy(),
        s.getGlobalDensity(),
        s.getTrainingFlops(),
        s.getSteps(),
        List.copyOf(s.getDecisionStepsList()),
        schedule);
  }

  /** What the comparison depends on, by flag name, with the library versions (provenance). */
  private Map<String, Object> recordedSettings() {
    BaselineSettings engine = settings.engine(seeds.get(0));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", settings.model());
    m.put("width", settings.width());
    m.put("density", settings.density());
    m.put("start-density", settings.startDensity());
    m.put("episode-steps", settings.episodeSteps());
    m.put("decision-interval", settings.decisionInterval());
    m.put("final-phase", settings.finalPhase());
    m.put("min-layer-density", settings.minLayerDensity());
    m.put("flops-weight", settings.flopsWeight());
    m.put("prune", settings.prune());
    m.put("grow", settings.grow());
    m.put("validation-samples", settings.validationSamples());
    m.put("test-samples", settings.testSamples());
    m.put("train-samples", settings.trainSamples());
    m.put("seeds", seeds);
    m.put("batch-size", engine.batchSize());
    m.put("optimizer", engine.optimizer().name());
    m.put("lr", engine.learningRate());
    m.put("lr-decay-at", engine.lrDecayAt());
    m.put("lr-decay-factor", engine.lrDecayFactor());
    m.put("momentum", engine.optimizer().momentum());
    m.put("weight-decay", engine.optimizer().weightDecay());
    m.put("validation-fraction", engine.validationFraction());
    if (policy != null) {
      m.put("policy", policy.description());
    }
    m.put("versions", RunResult.versions());
    return m;
  }
}
