package io.jitsparse.env.train;

import io.jitsparse.env.data.Batch;
import io.jitsparse.env.data.Batches;
import io.jitsparse.env.data.DataSplit;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.method.DstThresholdsMethod;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.sparse.SparseNetwork;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One baseline training run of one seed, end to end: splits the data, trains with a {@link
 * SparseTrainer}, shows progress, evaluates, and writes {@code result.json}, {@code schedule.csv},
 * {@code schedule.png}, {@code steps.csv} (the per-step state) and a checkpoint to its output
 * folder. A run can be stopped at any step (the stop flag, set on Ctrl-C) and resumed from its
 * folder.
 */
public final class BaselineRun {

  /** Per-step state file. */
  public static final String STEPS_FILE = "steps.csv";

  /** Schedule file. */
  public static final String SCHEDULE_FILE = "schedule.csv";

  /** Schedule plot. */
  public static final String SCHEDULE_PLOT = "schedule.png";

  private final BaselineSettings settings;
  private final FashionMnist data;
  private final Path out;
  private final BooleanSupplier stop;
  private final PrintStream console;

  /**
   * @param settings the run's settings
   * @param data the dataset
   * @param out the run's output folder
   * @param stop asked before every step; true stops the run cleanly (Ctrl-C sets it)
   * @param console where progress goes
   */
  public BaselineRun(
      BaselineSettings settings,
      FashionMnist data,
      Path out,
      BooleanSupplier stop,
      PrintStream console) {
    this.settings = settings;
    this.data = data;
    this.out = out;
    this.stop = stop;
    this.console = console;
  }

  /**
   * Runs (or resumes, when {@code resume} and the folder holds a checkpoint) and returns the result
   * that was written to {@code result.json}.
   *
   * @throws NonFiniteLossException after writing a partial result when the loss diverged
   */
  public Map<String, Object> run(boolean resume) throws IOException {
    if (settings.deterministic()) {
      Nd4j.getEnvironment().setMaxThreads(1);
      Nd4j.getEnvironment().setMaxMasterThreads(1);
    }
    Files.createDirectories(out);
    DataSplit split =
        new DataSplit(
            data,
            settings.seed(),
            settings.validationFraction(),
            settings.trainSamples() > 0
                ? OptionalInt.of(settings.trainSamples())
                : OptionalInt.empty());
    int perEpoch = split.trainBatchesPerEpoch(settings.batchSize());
    if (perEpoch < 1) {
      throw new IllegalArgumentException(
          "batch-size = "
              + settings.batchSize()
              + " is larger than the "
              + split.trainSize()
              + " training samples");
    }
    long totalSteps = (long) perEpoch * settings.epochs();
    SparseTrainer trainer = new SparseTrainer(settings, null, totalSteps);
    SparseNetwork net = trainer.network();
    List<String> layers = net.tensors().stream().map(PrunableTensor::name).toList();
    int epoch = 0;
    int batchInEpoch = 0;
    double priorSeconds = 0;
    boolean resuming = resume && Checkpoint.exists(out);
    if (resuming) {
      Checkpoint.Progress p = Checkpoint.readProgress(out);
      Checkpoint.checkPosition(out, p, totalSteps, perEpoch);
      // Rows a kill left after the checkpoint are trained again now: written once, not twice.
      StepRows.keepThrough(out.resolve(SCHEDULE_FILE), p.step());
      StepRows.keepThrough(out.resolve(STEPS_FILE), p.step());
      net.restore(Checkpoint.readArrays(out), Math.toIntExact(p.step()));
      trainer.restoreProgress(p.step(), p.trainingFlops());
      epoch = p.epoch();
      batchInEpoch = p.batchInEpoch();
      priorSeconds = p.wallSeconds();
      console.printf(Locale.ROOT, "resuming %s at step %d of %d%n", out, p.step(), totalSteps);
    }
    printHeader(trainer, split, totalSteps);
    long startStep = trainer.stepCount();
    String abortReason = null;
    long trainNanos = 0;
    try (ScheduleLog schedule = new ScheduleLog(out.resolve(SCHEDULE_FILE), layers, resuming);
        BufferedWriter steps = stepsWriter(layers, resuming)) {
      if (!resuming) {
        schedule.log(0, trainer.densities());
        // A checkpoint exists from the start, so that a run that diverges early still has one.
        checkpoint(trainer, 0, 0, 0);
      }
      ProgressBar bar =
          new ProgressBar(console, "steps", totalSteps, startStep, settings.progressSeconds());
      outer:
      while (epoch < settings.epochs()) {
        Batches batches = split.batches(settings.batchSize(), settings.seed(), epoch, batchInEpoch);
        while (batches.hasNext()) {
          if (stop.getAsBoolean()) {
            abortReason = "stopped by user";
            break outer;
          }
          StepState state;
          long t0 = System.nanoTime();
          try (Batch b = batches.next()) {
            state = trainer.step(b.features(), b.labels(), b.classes());
          } catch (NonFiniteLossException e) {
            writeResult(trainer, split, priorSeconds, trainNanos, startStep, e.getMessage());
            throw e;
          }
          trainNanos += System.nanoTime() - t0;
          batchInEpoch++;
          if (!state.maskChanges().isEmpty() || trainer.method().logsAt(state.step())) {
            schedule.log(state.step(), state.densities());
          }
          writeStep(steps, state);
          int shownEpoch = epoch;
          bar.update(
              state.step(),
              settings.batchSize(),
              () ->
                  String.format(
                      Locale.ROOT,
                      "epoch %d/%d loss %.4f acc %.3f density %.4f",
                      shownEpoch + 1,
                      settings.epochs(),
                      state.loss(),
                      state.accuracy(),
                      trainer.globalDensity()));
          if (settings.checkpointEvery() > 0
              && state.step() % settings.checkpointEvery() == 0
              && state.step() < totalSteps) {
            flushSteps(steps);
            try {
              checkpoint(trainer, epoch, batchInEpoch, priorSeconds + trainNanos / 1e9);
            } catch (NonFiniteLossException e) {
              writeResult(trainer, split, priorSeconds, trainNanos, startStep, e.getMessage());
              throw e;
            }
          }
        }
        epoch++;
        batchInEpoch = 0;
        SparseNetwork.Evaluation val =
            Evaluator.evaluate(net, split.validationBatches(settings.evalBatchSize()));
        console.printf(
            Locale.ROOT,
            "epoch %d/%d  validation accuracy %.4f  loss %.4f  density %.4f%n",
            epoch,
            settings.epochs(),
            val.accuracy(),
            val.meanLoss(),
            trainer.globalDensity());
      }
      flushSteps(steps);
      checkpoint(trainer, epoch, batchInEpoch, priorSeconds + trainNanos / 1e9);
      Map<String, Object> result =
          writeResult(trainer, split, priorSeconds, trainNanos, startStep, abortReason);
      SchedulePlot.write(
          schedule.rows(),
          trainer.stepCount(),
          settings.model() + " " + settings.method() + " (density " + settings.density() + ")",
          out.resolve(SCHEDULE_PLOT));
      return result;
    }
  }

  private void printHeader(SparseTrainer trainer, DataSplit split, long totalSteps) {
    console.printf(
        Locale.ROOT,
        "%s %s target density %.4f seed %d: %d train / %d validation / %d test samples,"
            + " %d steps of batch %d, %d prunable tensors -> %s%n",
        settings.model(),
        settings.method(),
        settings.density(),
        settings.seed(),
        split.trainSize(),
        split.validationSize(),
        split.testSize(),
        totalSteps,
        settings.batchSize(),
        trainer.network().tensors().size(),
        out);
  }

  private void checkpoint(SparseTrainer trainer, int epoch, int batchInEpoch, double seconds)
      throws IOException {
    if (!trainer.network().parametersFinite()) {
      // The loss of the next step would show it; never overwrite a good checkpoint with this.
      throw new NonFiniteLossException(trainer.stepCount(), Double.NaN);
    }
    Checkpoint.write(
        out,
        trainer.network().checkpointArrays(),
        new Checkpoint.Progress(
            trainer.stepCount(),
            epoch,
            batchInEpoch,
            trainer.flops().total(),
            seconds,
            settings.toMap()));
  }

  private BufferedWriter stepsWriter(List<String> layers, boolean append) throws IOException {
    Path file = out.resolve(STEPS_FILE);
    if (append && Files.exists(file)) {
      return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder("step,loss,accuracy,learning_rate,step_flops");
    for (String l : layers) {
      for (String f : List.of("density", "weight_mean", "weight_std", "gradient_norm", "churn")) {
        h.append(',').append(l).append(':').append(f);
      }
    }
    w.write(h.toString());
    w.newLine();
    return w;
  }

  /** Flushes {@code steps.csv}; a failure (a full disk) names the file. */
  private void flushSteps(BufferedWriter steps) throws IOException {
    try {
      steps.flush();
    } catch (IOException e) {
      throw stepsFailed(e);
    }
  }

  private void writeStep(BufferedWriter w, StepState s) throws IOException {
    try {
      writeStepRow(w, s);
    } catch (IOException e) {
      throw stepsFailed(e);
    }
  }

  private IOException stepsFailed(IOException e) {
    return new IOException(
        "cannot write " + out.resolve(STEPS_FILE) + ": " + Checkpoint.reason(e), e);
  }

  /** Values of a {@code steps.csv} line before the per-layer ones, and per layer. */
  private static final int STEP_VALUES = 4;

  private static final int LAYER_VALUES = 5;

  /**
   * One line of {@code steps.csv}, every value {@code %.6g}, formatted by one {@code format} call
   * with a pattern made once: a call per value (tens per line) cost a noticeable share of a small
   * network's step.
   */
  private static void writeStepRow(BufferedWriter w, StepState s) throws IOException {
    List<LayerStatistics> layers = s.layers();
    Object[] values = new Object[1 + STEP_VALUES + LAYER_VALUES * layers.size()];
    int k = 0;
    values[k++] = s.step();
    values[k++] = s.loss();
    values[k++] = s.accuracy();
    values[k++] = s.learningRate();
    values[k++] = s.stepFlops();
    for (LayerStatistics l : layers) {
      values[k++] = l.density();
      values[k++] = l.weightMagnitudeMean();
      values[k++] = l.weightMagnitudeStd();
      values[k++] = l.gradientNorm();
      values[k++] = l.maskChurn();
    }
    w.write(String.format(Locale.ROOT, stepPattern(layers.size()), values));
    w.newLine();
  }

  private static final java.util.Map<Integer, String> STEP_PATTERNS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code %d} then {@code ,%.6g} for every other value of a line with {@code layers} layers. */
  private static String stepPattern(int layers) {
    return STEP_PATTERNS.computeIfAbsent(
        layers, n -> "%d" + ",%.6g".repeat(STEP_VALUES + LAYER_VALUES * n));
  }

  private Map<String, Object> writeResult(
      SparseTrainer trainer,
      DataSplit split,
      double priorSeconds,
      long trainNanos,
      long startStep,
      String abortReason)
      throws IOException {
    SparseNetwork net = trainer.network();
    SparseNetwork.Evaluation test =
        Evaluator.evaluate(net, split.testBatches(settings.evalBatchSize()));
    SparseNetwork.Evaluation val =
        Evaluator.evaluate(net, split.validationBatches(settings.evalBatchSize()));
    double seconds = priorSeconds + trainNanos / 1e9;
    double[] d = trainer.densities();
    Map<String, Object> layerDensities = new LinkedHashMap<>();
    for (int i = 0; i < d.length; i++) {
      layerDensities.put(net.tensors().get(i).name(), d[i]);
    }
    long steps = trainer.stepCount();
    double denseFlops = trainer.flops().denseRun(steps, settings.batchSize());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("config", settings.toMap());
    r.put("seed", settings.seed());
    r.put("versions", RunResult.versions());
    r.put("data", Map.of("source", data.source(), "sha256", data.fileHashes()));
    r.put("aborted", abortReason != null);
    if (abortReason != null) {
      r.put("abort_reason", abortReason);
    }
    r.put("test_accuracy", test.accuracy());
    r.put("test_loss", test.meanLoss());
    r.put("validation_accuracy", val.accuracy());
    r.put("global_density", trainer.globalDensity());
    r.put("layer_densities", layerDensities);
    r.put("training_flops", trainer.flops().total());
    r.put("flops_vs_dense", denseFlops > 0 ? trainer.flops().total() / denseFlops : 0.0);
    r.put("wall_seconds", seconds);
    double trainSeconds = trainNanos / 1e9;
    r.put(
        "samples_per_second",
        trainSeconds > 0
            ? (steps - startStep) * (double) settings.batchSize() / trainSeconds
            : 0.0);
    r.put("steps", steps);
    r.put("total_steps", trainer.totalSteps());
    r.put("train_samples", split.trainSize());
    r.put("validation_samples", split.validationSize());
    r.put("test_samples", split.testSize());
    if (trainer.method() instanceof DstThresholdsMethod m) {
      r.put("threshold_resets", m.resets());
    }
    RunResult.write(out, r);
    return r;
  }
}
