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
    // `--baselines ''` asks for the learned policy alone
    baselines = baselines.stream().filter(n -> !n.isBlank()).toList();
    if (policy == null && baselines.isEmpty()) {
      throw new IllegalArgumentException("nothing to evaluate: give --policy or --baselines");
    }
    this.settings = settings;
    this.seeds = List.copyOf(seeds);
    this.policy = policy;
    List<Baselines.Baseline> b = new ArrayList<>();
    for (String name : baselines) {
      try {
        b.add(
            Baselines.byName(
                name, settings.maskInterval().toString(), settings.referenceEnd().toString()));
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
   * Runs every method on every seed, skipping the rows {@code done} already holds (a resumed
   * evaluation) and telling {@code rows} of each one it finishes.
   *
   * @param data the data set
   * @param progress gets a line every {@code progressSeconds} inside an episode (steps, rate, ETA
   *     of the row and of the whole evaluation) and one per finished episode
   * @param done rows of an earlier run of the same evaluation, by method and seed
   * @param rows told of every finished row (to save it), or null
   * @return the comparison, {@code learned} first when there is a policy; no learning curve
   */
  public ReportData run(
      FashionMnist data,
      PrintWriter progress,
      Map<String, Map<Long, SeedResult>> done,
      RowSink rows) {
    int total = seeds.size() * (baselines.size() + (policy == null ? 0 : 1));
    Clock clock = new Clock(total, progress);
    List<MethodResult> methods = new ArrayList<>();
    if (policy != null) {
      methods.add(
          new MethodResult(
              MethodResult.LEARNED,
              policy.description(),
              rows(
                  MethodResult.LEARNED,
                  done,
                  rows,
                  clock,
                  seed ->
                      listener ->
                          ControlledEpisode.run(
                              settings,
                              seed,
                              data,
                              policy.controller(),
                              trainerId(MethodResult.LEARNED),
                              listener))));
    }
    for (Baselines.Baseline b : baselines) {
      methods.add(
          new MethodResult(
              b.name(),
              b.description(),
              rows(
                  b.name(),
                  done,
                  rows,
                  clock,
                  seed ->
                      listener ->
                          ControlledEpisode.runMethod(
                              settings, seed, data, b.keys(), trainerId(b.name()), listener))));
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

  /** Runs the comparison without earlier rows. */
  public ReportData run(FashionMnist data, PrintWriter progress) {
    return run(data, progress, Map.of(), null);
  }

  /** Told of every finished row of an evaluation. */
  @FunctionalInterface
  public interface RowSink {
    /** Row {@code result} of {@code method} is done. */
    void finished(String method, SeedResult result);
  }

  private interface Episode {
    EpisodeSummary run(ControlledEpisode.ProgressListener listener);
  }

  private List<SeedResult> rows(
      String method,
      Map<String, Map<Long, SeedResult>> done,
      RowSink sink,
      Clock clock,
      java.util.function.LongFunction<Episode> episode) {
    List<SeedResult> results = new ArrayList<>();
    for (long seed : seeds) {
      SeedResult earlier = done.getOrDefault(method, Map.of()).get(seed);
      if (earlier != null) {
        clock.skipped(method, earlier);
        results.add(earlier);
        continue;
      }
      long start = System.nanoTime();
      EpisodeSummary s = episode.apply(seed).run(clock.listener(method, seed));
      double seconds = (System.nanoTime() - start) / 1e9;
      SeedResult r = toSeedResult(s, seconds, batchSize());
      clock.finished(method, s);
      if (sink != null) {
        sink.finished(method, r);
      }
      results.add(r);
    }
    return results;
  }

  private int batchSize() {
    return settings.engine(seeds.get(0)).batchSize();
  }

  private static String trainerId(String method) {
    return "evaluate-" + method;
  }

  /** Progress of the whole evaluation: rows done, steps inside the row, rates and estimates. */
  private final class Clock {
    private final int total;
    private final PrintWriter out;
    private final long start = System.nanoTime();
    private final long progressNanos;
    private int done;
    private int ran;

    Clock(int total, PrintWriter out) {
      this.total = total;
      this.out = out;
      this.progressNanos =
          (long) (settings.engine(seeds.get(0)).progressSeconds() * 1_000_000_000L);
    }

    ControlledEpisode.ProgressListener listener(String method, long seed) {
      long rowStart = System.nanoTime();
      long[] last = {rowStart};
      return (st, totalSteps) -> {
        long now = System.nanoTime();
        if (now - last[0] < progressNanos) {
          return;
        }
        last[0] = now;
        double seconds = (now - rowStart) / 1e9;
        double rate = st.step() / Math.max(seconds, 1e-9);
        double rowLeft = (totalSteps - st.step()) / Math.max(rate, 1e-9);
        // rows not yet begun are estimated at this row's pace
        double rest = rowLeft + (total - done - 1) * (totalSteps / Math.max(rate, 1e-9));
        out.printf(
            Locale.ROOT,
            "[%d/%d] %s seed %d: step %d/%d, %.0f samples/s, row ETA %s, evaluation ETA %s%n",
            done + 1,
            total,
            method,
            seed,
            st.step(),
            totalSteps,
            rate * batchSize(),
            ProgressBar.formatDuration(rowLeft),
            ProgressBar.formatDuration(rest));
        out.flush();
      };
    }

    void skipped(String method, SeedResult r) {
      done++;
      out.printf(
          Locale.ROOT,
          "[%d/%d] %s seed %d: done in an earlier run (test accuracy %.4f), skipped%n",
          done,
          total,
          method,
          r.seed(),
          r.testAccuracy());
      out.flush();
    }

    void finished(String method, EpisodeSummary s) {
      done++;
      ran++;
      double elapsed = (System.nanoTime() - start) / 1e9;
      // rows skipped from an earlier run took no time: the pace is that of the rows run here
      double eta = elapsed / ran * (total - done);
      out.printf(
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
      out.flush();
    }
  }

  /** The summary as the report shows it: per-layer schedules turned into one row per decision. */
  static SeedResult toSeedResult(EpisodeSummary s, double seconds, int batchSize) {
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
        schedule,
        s.getInferenceFlops(),
        s.getReferenceTrainingFlops(),
        s.getReferenceInferenceFlops(),
        seconds > 0 ? s.getSteps() * (double) batchSize / seconds : 0);
  }

  /**
   * What the comparison depends on, by flag name, with the library versions (provenance): a resumed
   * evaluation must match it.
   */
  public Map<String, Object> recordedSettings() {
    BaselineSettings engine = settings.engine(seeds.get(0));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", settings.model());
    m.put("width", settings.width());
    m.put("density", settings.density());
    m.put("start-density", settings.startDensity());
    m.put("episode-steps", settings.episodeSteps());
    m.put("decision-interval", settings.decisionInterval());
    m.put("compute-budget", settings.budget());
    m.put("reference", settings.referenceKeys());
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
