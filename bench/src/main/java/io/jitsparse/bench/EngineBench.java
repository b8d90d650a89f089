package io.jitsparse.bench;

import io.jitsparse.env.data.Batch;
import io.jitsparse.env.data.DataSplit;
import io.jitsparse.env.growth.GrowCriteria;
import io.jitsparse.env.pruning.PruneCriteria;
import io.jitsparse.env.schedule.PruneFractionDecay;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepPhases;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.SparseTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bench/run engine}: training throughput of the jitsparse engine, dense and masked (DST at
 * density 0.05 with its mask updates), against each other and against PyTorch training the same
 * network on the same batches; the same dense network on the SameDiff graph (the engine before the
 * direct pass, issue 14); and the real {@code jitsparse baseline} loop around the masked trainer
 * ({@link BaselineArm}). Every jitsparse step loop also records where its time goes ({@link
 * StepPhases}).
 *
 * <p>Every figure is a median over rounds, and every comparison a ratio of medians. Within a round
 * the engines take turns in short chunks (the jitsparse arms in an order that rotates from chunk to
 * chunk, then PyTorch and PyTorch with OpenBLAS), so that the load of other work on the machine
 * falls on all of them alike. The JVM, its trainers and the PyTorch subprocesses stay warm across
 * rounds; PyTorch times its own steps.
 */
public final class EngineBench {

  private static final String NAME = "engine";
  private static final int DEFAULT_ROUNDS = 3;
  private static final int DEFAULT_STEPS = 100;
  private static final int DEFAULT_CHUNKS = 5;
  private static final int DEFAULT_WARMUP = 20;
  private static final int DEFAULT_TORCH_STEPS = 50;
  private static final int DEFAULT_TORCH_WARMUP = 5;
  private static final String DEFAULT_MODELS = "lenet5-caffe,lenet-300-100";
  private static final String DEFAULT_PYTHON = "/usr/bin/python3";
  private static final String DEFAULT_TORCH_SCRIPT = "bench/torch_engine.py";
  private static final String DEFAULT_OUT = "bench/results/" + NAME + ".json";
  private static final String DEFAULT_WORK = "bench/target/" + NAME;

  /** {@code --baseline-steps} value meaning one epoch of the default split per round. */
  private static final int BASELINE_STEPS_EPOCH = 0;

  /** Epochs of the baseline run beyond those the benchmark steps through (it is stopped early). */
  private static final int BASELINE_SPARE_EPOCHS = 1;

  /** {@code --delta-t} value meaning "one mask update per timed window": delta-t = --steps. */
  private static final int DELTA_T_WINDOW = 0;

  /** Direct {@link DensityMover} updates timed per model per round. */
  private static final int MOVER_REPEATS = 3;

  /** PyTorch's intra-op threads: the cores of the reference machine. */
  private static final int TORCH_THREADS = 2;

  /** Batches in the pool every timed loop cycles through. */
  private static final int POOL_BATCHES = 64;

  /** The engine's throughput goals, reported next to the figures. */
  private static final double TARGET_MASKED_OVER_DENSE = 0.95;

  private static final double TARGET_JITSPARSE_OVER_TORCH = 1.0;

  /** The library name under which JavaCPP loaded ND4J's OpenBLAS (for the OpenBLAS peer). */
  private static final String OPENBLAS_LIBRARY = "openblas";

  private static final double NANOS_PER_SECOND = 1e9;
  private static final double NANOS_PER_MS = 1e6;
  private static final double MS_PER_SECOND = 1e3;
  private static final int RATE_DIGITS = 1;
  private static final int RATIO_DIGITS = 3;
  private static final int MS_DIGITS = 2;
  private static final int MB_DIGITS = 1;
  private static final int PHASE_DIGITS = 3;

  private static final String DENSE = "dense";
  private static final String MASKED = "masked";
  private static final String GRAPH = "graph";
  private static final String BASELINE = "baseline";
  private static final String TORCH = "torch";
  private static final String TORCH_OPENBLAS = "torch-openblas";

  private EngineBench() {}

  /** Entry point: {@code bench/run engine [flags]}. */
  public static void main(String[] args) throws IOException {
    Flags flags =
        new Flags(NAME)
            .declare("rounds", DEFAULT_ROUNDS, "rounds; figures are medians over rounds")
            .declare("steps", DEFAULT_STEPS, "timed jitsparse steps per trainer per round")
            .declare("chunks", DEFAULT_CHUNKS, "turns the engines take within a round")
            .declare("warmup", DEFAULT_WARMUP, "untimed steps per trainer before round 1")
            .declare(
                "delta-t",
                DELTA_T_WINDOW,
                "steps between mask updates of the masked engine; 0 = --steps, so that every"
                    + " round's masked window holds exactly one update")
            .declare("models", DEFAULT_MODELS, "comma-separated models")
            .declare(
                "graph",
                true,
                "also time the dense network on the SameDiff graph (the engine before issue 14)")
            .declare(
                "baseline",
                true,
                "also time the real jitsparse baseline loop (BaselineRun) of the masked trainer")
            .declare(
                "baseline-steps",
                BASELINE_STEPS_EPOCH,
                "timed baseline-loop iterations per round; 0 = one epoch of the default split, so"
                    + " that every round holds one validation")
            .declare("torch", true, "also time PyTorch when the interpreter has torch")
            .declare("torch-steps", DEFAULT_TORCH_STEPS, "timed PyTorch steps per round")
            .declare("torch-warmup", DEFAULT_TORCH_WARMUP, "untimed PyTorch steps at its start")
            .declare(
                "torch-openblas",
                true,
                "also time PyTorch with ND4J's OpenBLAS preloaded instead of the system BLAS")
            .declare("python", DEFAULT_PYTHON, "interpreter with torch")
            .declare("torch-script", DEFAULT_TORCH_SCRIPT, "the PyTorch peer")
            .declare("out", DEFAULT_OUT, "result file")
            .declare("work", DEFAULT_WORK, "scratch folder (batches exported for PyTorch)");
    if (!flags.parse(args)) {
      return;
    }
    try (Run run = new Run(flags)) {
      run.execute();
    }
  }

  /** One engine's timed steps in one round: the sum of its chunks. */
  private static final class Window {
    private int steps;
    private double seconds;
    private int updates;
    private final List<Double> updateStepMs = new ArrayList<>();
    private final List<Double> updateExtraMs = new ArrayList<>();
    private final List<Double> normalStepMs = new ArrayList<>();

    double samplesPerSecond() {
      return seconds > 0 ? steps * (double) BenchTrainers.BATCH_SIZE / seconds : Double.NaN;
    }

    /** Seconds of the window without its mask-update steps, per remaining step. */
    double normalSecondsPerStep() {
      double update = updateStepMs.stream().mapToDouble(Double::doubleValue).sum() / MS_PER_SECOND;
      return (seconds - update) / (steps - updates);
    }
  }

  /** One benchmark run: settings, trainers, PyTorch sessions and results. */
  private static final class Run implements AutoCloseable {
    private final Flags flags;
    private final int rounds;
    private final int steps;
    private final int chunks;
    private final int warmup;
    private final int deltaT;
    private final int torchSteps;
    private final int torchWarmup;
    private final List<String> models;
    private final boolean graph;
    private final boolean baseline;
    private int baselineSteps;
    private final Progress progress = new Progress(NAME);
    private final List<ModelBench> benches = new ArrayList<>();
    private TorchPeer torch;
    private TorchPeer torchOpenBlas;
    private String torchVersion;
    private String torchSkipped;
    private String openBlas;
    private List<Path> exported;

    Run(Flags flags) {
      this.flags = flags;
      this.rounds = flags.integer("rounds", 1);
      this.steps = flags.integer("steps", 1);
      this.chunks = Math.min(flags.integer("chunks", 1), steps);
      this.warmup = flags.integer("warmup", 0);
      int d = flags.integer("delta-t", DELTA_T_WINDOW);
      this.deltaT = d == DELTA_T_WINDOW ? steps : d;
      this.torchSteps = flags.integer("torch-steps", 1);
      this.torchWarmup = flags.integer("torch-warmup", 0);
      this.models = flags.list("models");
      this.graph = flags.bool("graph");
      this.baseline = flags.bool("baseline");
      this.baselineSteps = flags.integer("baseline-steps", BASELINE_STEPS_EPOCH);
    }

    void execute() throws IOException {
      Map<String, Object> machine = Machine.describe();
      progress.line(Double.NaN, "machine " + machine);
      String busy = Machine.busyWarning();
      if (busy != null) {
        progress.line(Double.NaN, "WARNING " + busy);
      }
      BatchPool pool = BatchPool.load(POOL_BATCHES, BenchTrainers.BATCH_SIZE, BenchTrainers.SEED);
      if (baselineSteps == BASELINE_STEPS_EPOCH) {
        baselineSteps =
            new DataSplit(BatchPool.data(), BenchTrainers.SEED)
                .trainBatchesPerEpoch(BenchTrainers.BATCH_SIZE);
      }
      setUpTorch(pool);
      MemorySnapshot start = MemorySnapshot.take();
      for (String model : models) {
        benches.add(setUp(model, pool));
      }
      MemorySnapshot afterSetUp = MemorySnapshot.take();
      for (int r = 0; r < rounds; r++) {
        for (int m = 0; m < benches.size(); m++) {
          runRound(benches.get(m), r, pool);
          progress.line(eta(r, m), benches.get(m).roundLine(r, rounds));
        }
      }
      MemorySnapshot end = MemorySnapshot.take();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("benchmark", NAME);
      result.put("machine", machine);
      result.put("settings", settings());
      result.put("torch", torchInfo());
      List<Map<String, Object>> modelResults = new ArrayList<>();
      for (ModelBench b : benches) {
        modelResults.add(b.summary());
      }
      result.put("models", modelResults);
      result.put("memory_process_start", start.toMap());
      result.put("memory_process_after_setup", afterSetUp.toMap());
      result.put("memory_process_end", end.toMap());
      result.put("load_average_at_end", Machine.loadAverage());
      result.put("elapsed_s", Stats.round(progress.elapsedSeconds(), RATE_DIGITS));
      printTable(modelResults);
      Path out = Path.of(flags.string("out"));
      ResultFile.write(out, result);
      progress.line(0, "wrote " + out);
    }

    @Override
    public void close() throws IOException {
      for (ModelBench b : benches) {
        b.closeSessions();
      }
    }

    /** The real baseline loop of the masked settings, warmed up, or null with --baseline false. */
    private BaselineArm baselineArm(String model) {
      if (!baseline) {
        return null;
      }
      int perEpoch =
          new DataSplit(BatchPool.data(), BenchTrainers.SEED)
              .trainBatchesPerEpoch(BenchTrainers.BATCH_SIZE);
      long needed = (long) warmup + (long) rounds * baselineSteps;
      int epochs = Math.toIntExact(needed / perEpoch) + 1 + BASELINE_SPARE_EPOCHS;
      Path out = Path.of(flags.string("work")).resolve("baseline-" + model);
      try {
        Files.createDirectories(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      BaselineArm arm =
          new BaselineArm(
              BenchTrainers.baselineSettings(model, BenchTrainers.MASKED, deltaT, epochs),
              BatchPool.data(),
              out);
      if (warmup > 0) {
        arm.run(warmup);
      }
      return arm;
    }

    private Map<String, Object> settings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("rounds", rounds);
      s.put("steps", steps);
      s.put("chunks", chunks);
      s.put("warmup", warmup);
      s.put("torch_steps", torchSteps);
      s.put("torch_warmup", torchWarmup);
      s.put("batch_size", BenchTrainers.BATCH_SIZE);
      s.put("pool_batches", POOL_BATCHES);
      s.put("density", BenchTrainers.DENSITY);
      s.put("delta_t", deltaT);
      s.put("baseline_steps", baseline ? baselineSteps : 0);
      s.put(
          "baseline_path",
          "BaselineRun of the masked settings, production defaults otherwise (checkpoint-every,"
              + " gc-window-ms, eval-batch-size, 10% validation at every epoch end), real data"
              + " split, progress to a null stream");
      s.put("production_delta_t", BenchTrainers.DEFAULT_DELTA_T);
      s.put("masked_method", "dst, erk, magnitude prune, gradient grow, cosine prune fraction");
      s.put("optimizer", "sgd nesterov momentum 0.9, lr 0.01 constant, weight decay 5e-4");
      s.put("seed", BenchTrainers.SEED);
      return s;
    }

    private Map<String, Object> torchInfo() {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("available", torch != null);
      t.put("version", torchVersion);
      t.put("threads", TORCH_THREADS);
      t.put("python", flags.string("python"));
      t.put("openblas_peer", openBlas);
      if (torchSkipped != null) {
        t.put("skipped", torchSkipped);
      }
      return t;
    }

    private void setUpTorch(BatchPool pool) throws IOException {
      if (!flags.bool("torch")) {
        torchSkipped = "--torch false";
        return;
      }
      String python = flags.string("python");
      Path script = Path.of(flags.string("torch-script"));
      TorchPeer peer = new TorchPeer(python, script, TORCH_THREADS);
      torchVersion = peer.version();
      if (torchVersion == null) {
        torchSkipped = python + " -c \"import torch\" failed";
        progress.line(Double.NaN, "PyTorch peer skipped: " + torchSkipped);
        return;
      }
      torch = peer;
      exported = pool.export(Path.of(flags.string("work")));
      if (flags.bool("torch-openblas")) {
        openBlas = openBlasLibrary();
        if (openBlas != null) {
          torchOpenBlas = new TorchPeer(python, script, TORCH_THREADS, openBlas);
        }
      }
      progress.line(
          Double.NaN,
          "PyTorch "
              + torchVersion
              + " peer on; OpenBLAS peer "
              + (openBlas == null ? "off" : "preloading " + openBlas));
    }

    /** The OpenBLAS library JavaCPP loaded for ND4J, or null. */
    private static String openBlasLibrary() {
      String found = null;
      for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
        if (e.getKey().startsWith(OPENBLAS_LIBRARY) && e.getValue() != null) {
          found = e.getValue();
        }
      }
      return found;
    }

    /** Builds and warms up a model's trainers and PyTorch sessions, measuring memory. */
    private ModelBench setUp(String model, BatchPool pool) throws IOException {
      long total = (long) warmup + (long) rounds * steps + deltaT;
      MemorySnapshot before = MemorySnapshot.take();
      SparseTrainer dense = BenchTrainers.create(model, BenchTrainers.DENSE, deltaT, total);
      double denseStep = warm(dense, pool);
      MemorySnapshot afterDense = MemorySnapshot.take();
      SparseTrainer masked = BenchTrainers.create(model, BenchTrainers.MASKED, deltaT, total);
      double maskedStep = warm(masked, pool);
      MemorySnapshot afterMasked = MemorySnapshot.take();
      SparseTrainer graphTrainer = null;
      double graphStep = 0;
      if (graph) {
        graphTrainer = BenchTrainers.create(model, BenchTrainers.DENSE, deltaT, total);
        graphTrainer.network().useReferenceEngine();
        graphStep = warm(graphTrainer, pool);
      }
      BaselineArm arm = baselineArm(model);
      ModelBench b =
          new ModelBench(
              model,
              dense,
              masked,
              new TrainerMemory(afterDense.minus(before), afterDense, stateMb(dense)),
              new TrainerMemory(afterMasked.minus(afterDense), afterMasked, stateMb(masked)),
              graphTrainer,
              arm);
      // One untimed direct update, so that the first timed one does not run cold code.
      b.timeMover(pool);
      b.estimatedRoundSeconds =
          (denseStep + maskedStep + graphStep) * steps
              + (arm == null ? 0 : maskedStep) * baselineSteps;
      if (torch != null) {
        Path features = exported.get(0);
        Path labels = exported.get(1);
        int batch = BenchTrainers.BATCH_SIZE;
        b.torchSession = torch.start(model, torchWarmup, batch, features, labels);
        if (torchOpenBlas != null) {
          b.torchOpenBlasSession = torchOpenBlas.start(model, torchWarmup, batch, features, labels);
        }
        // Until measured, guess PyTorch as fast as jitsparse dense.
        b.estimatedRoundSeconds += denseStep * torchSteps * (torchOpenBlas == null ? 1 : 2);
      }
      progress.line(
          Double.NaN,
          String.format(
              Locale.ROOT,
              "%s ready: warm-up dense %.1f ms/step, masked %.1f ms/step; memory per trainer:"
                  + " dense %s, masked %s",
              model,
              denseStep * MS_PER_SECOND,
              maskedStep * MS_PER_SECOND,
              b.denseMemory.toMap(),
              b.maskedMemory.toMap()));
      return b;
    }

    /** Runs the warm-up steps and returns seconds per step (NaN without warm-up). */
    private double warm(SparseTrainer trainer, BatchPool pool) {
      long t0 = System.nanoTime();
      for (int i = 0; i < warmup; i++) {
        Batch b = pool.next();
        trainer.step(b.features(), b.labels(), b.classes());
      }
      return warmup == 0 ? Double.NaN : (System.nanoTime() - t0) / NANOS_PER_SECOND / warmup;
    }

    /** Megabytes of the ND4J arrays a trainer keeps: parameters, masks, optimiser state. */
    private static double stateMb(SparseTrainer trainer) {
      long bytes = 0;
      for (INDArray a : trainer.network().checkpointArrays().values()) {
        bytes += a.length() * a.dataType().width();
      }
      return bytes / MemorySnapshot.BYTES_PER_MB;
    }

    /** Seconds left after model {@code m} of round {@code round}. */
    private double eta(int round, int m) {
      double left = 0;
      for (int r = round; r < rounds; r++) {
        for (int i = r == round ? m + 1 : 0; i < benches.size(); i++) {
          left += benches.get(i).estimatedRoundSeconds;
        }
      }
      return left;
    }

    /** One round of one model: the engines take turns, chunk by chunk. */
    private void runRound(ModelBench b, int round, BatchPool pool) throws IOException {
      long t0 = System.nanoTime();
      Window dense = new Window();
      Window masked = new Window();
      Window torchWindow = new Window();
      Window torchOpenBlasWindow = new Window();
      Window graphWindow = new Window();
      Window baselineWindow = new Window();
      int[] jitChunks = split(steps, chunks);
      int[] torchChunks = split(torchSteps, chunks);
      int[] baselineChunks = split(baselineSteps, chunks);
      int[] chunk = new int[1];
      // The jitsparse arms take turns in a rotating order, so that each starts a chunk right after
      // the PyTorch peers as often as the others: an arm that always did would pay for their
      // threads still spinning (OpenBLAS waits busily before it sleeps) in every chunk.
      List<Runnable> arms = new ArrayList<>();
      arms.add(() -> timeChunk(b.dense, pool, jitChunks[chunk[0]], dense));
      arms.add(() -> timeChunk(b.masked, pool, jitChunks[chunk[0]], masked));
      if (b.graph != null) {
        arms.add(() -> timeChunk(b.graph, pool, jitChunks[chunk[0]], graphWindow));
      }
      if (b.baseline != null) {
        arms.add(
            () -> {
              int n = baselineChunks[chunk[0]];
              if (n > 0) {
                baselineWindow.seconds += b.baseline.run(n) / NANOS_PER_SECOND;
                baselineWindow.steps += n;
              }
            });
      }
      for (int c = 0; c < chunks; c++) {
        chunk[0] = c;
        int first = (c + round) % arms.size();
        for (int i = 0; i < arms.size(); i++) {
          arms.get((first + i) % arms.size()).run();
        }
        if (b.torchSession != null && torchChunks[c] > 0) {
          timeTorchChunk(b.torchSession, torchChunks[c], torchWindow);
          if (b.torchOpenBlasSession != null) {
            timeTorchChunk(b.torchOpenBlasSession, torchChunks[c], torchOpenBlasWindow);
          }
        }
      }
      b.windows.get(DENSE).add(dense);
      b.windows.get(MASKED).add(masked);
      if (b.graph != null) {
        b.windows.get(GRAPH).add(graphWindow);
      }
      if (b.baseline != null) {
        b.windows.get(BASELINE).add(baselineWindow);
      }
      if (b.torchSession != null) {
        b.windows.get(TORCH).add(torchWindow);
        if (b.torchOpenBlasSession != null) {
          b.windows.get(TORCH_OPENBLAS).add(torchOpenBlasWindow);
        }
      }
      List<Double> mover = new ArrayList<>();
      for (int i = 0; i < MOVER_REPEATS; i++) {
        mover.add(b.timeMover(pool));
      }
      b.moverMs.add(mover);
      b.estimatedRoundSeconds = (System.nanoTime() - t0) / NANOS_PER_SECOND;
    }

    /** {@code total} split into {@code parts} sizes that differ by at most one. */
    private static int[] split(int total, int parts) {
      int[] sizes = new int[parts];
      for (int i = 0; i < parts; i++) {
        sizes[i] = total / parts + (i < total % parts ? 1 : 0);
      }
      return sizes;
    }

    /**
     * Times {@code n} steps of a trainer, and each step alone so that the steps that update masks
     * can be told from the others (their extra time is measured against the median of the chunk's
     * other steps).
     */
    private static void timeChunk(SparseTrainer trainer, BatchPool pool, int n, Window w) {
      long[] stepNanos = new long[n];
      boolean[] updates = new boolean[n];
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Batch b = pool.next();
        updates[i] = trainer.method().updatesMasksAt(trainer.stepCount() + 1);
        long s = System.nanoTime();
        trainer.step(b.features(), b.labels(), b.classes());
        stepNanos[i] = System.nanoTime() - s;
      }
      w.seconds += (System.nanoTime() - t0) / NANOS_PER_SECOND;
      w.steps += n;
      List<Double> normal = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!updates[i]) {
          normal.add(stepNanos[i] / NANOS_PER_MS);
        }
      }
      w.normalStepMs.addAll(normal);
      double baseline = Stats.median(normal);
      for (int i = 0; i < n; i++) {
        if (updates[i]) {
          w.updates++;
          w.updateStepMs.add(stepNanos[i] / NANOS_PER_MS);
          w.updateExtraMs.add(stepNanos[i] / NANOS_PER_MS - baseline);
        }
      }
    }

    private static void timeTorchChunk(TorchPeer.Session session, int n, Window w)
        throws IOException {
      TorchPeer.Chunk c = session.run(n);
      w.steps += c.steps();
      w.seconds += c.seconds();
    }

    private void printTable(List<Map<String, Object>> results) {
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-14s %9s %9s %12s %9s %7s %11s %7s %9s %15s %10s %18s%n",
          "model",
          "dense/s",
          "masked/s",
          "masked/dense",
          "update ms",
          "heap MB",
          "off-heap MB",
          "RSS MB",
          "torch/s",
          "jitsparse/torch",
          "torch-ob/s",
          "jitsparse/torch-ob");
      for (Map<String, Object> s : results) {
        System.out.printf(
            Locale.ROOT,
            "%-14s %9.1f %9.1f %12.3f %9.2f %7.1f %11.1f %7.1f %9.1f %15.3f %10.1f %18.3f%n",
            s.get("model"),
            number(s, "dense_samples_per_s"),
            number(s, "masked_samples_per_s"),
            number(s, "masked_over_dense"),
            number(s, "mask_update_ms"),
            number(s, "heap_mb"),
            number(s, "offheap_mb"),
            number(s, "rss_mb"),
            number(s, "torch_samples_per_s"),
            number(s, "jitsparse_over_torch"),
            number(s, "torch_openblas_samples_per_s"),
            number(s, "jitsparse_over_torch_openblas"));
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-14s %9s %13s %10s %14s %17s %20s%n",
          "model",
          "graph/s",
          "direct/graph",
          "baseline/s",
          "baseline/bare",
          "baseline/torch-ob",
          "masked/torch-ob");
      for (Map<String, Object> s : results) {
        System.out.printf(
            Locale.ROOT,
            "%-14s %9.1f %13.3f %10.1f %14.3f %17.3f %20.3f%n",
            s.get("model"),
            number(s, "graph_samples_per_s"),
            number(s, "direct_over_graph"),
            number(s, "baseline_samples_per_s"),
            number(s, "baseline_path_over_bare"),
            number(s, "baseline_over_torch_openblas"),
            number(s, "masked_over_torch_openblas"));
      }
      System.out.println();
      System.out.println("ms per step by phase:");
      for (Map<String, Object> s : results) {
        System.out.println("  " + s.get("model") + " " + s.get("phases_ms_per_step"));
      }
      System.out.println();
      System.out.println("per round:");
      for (ModelBench b : benches) {
        for (int r = 0; r < rounds; r++) {
          System.out.println("  " + b.roundLine(r, rounds));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "targets: masked/dense >= %.2f; jitsparse (dense) / PyTorch >= %.1f on lenet5-caffe%n",
          TARGET_MASKED_OVER_DENSE,
          TARGET_JITSPARSE_OVER_TORCH);
    }

    private static double number(Map<String, Object> m, String key) {
      Object v = m.get(key);
      return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
  }

  /**
   * What one trainer costs in memory.
   *
   * @param growth the process's growth while the trainer was built and warmed up (the first trainer
   *     of a run also pays for ND4J's one-time native initialisation)
   * @param after the process after it was built and warmed up
   * @param stateMb its ND4J arrays that live between steps (parameters, masks, optimiser state)
   */
  private record TrainerMemory(MemorySnapshot growth, MemorySnapshot after, double stateMb) {

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("heap_mb", Stats.round(growth.heapMb(), MB_DIGITS));
      m.put("offheap_mb", Stats.round(stateMb, MB_DIGITS));
      m.put("javacpp_mb", Stats.round(growth.javacppMb(), MB_DIGITS));
      m.put("rss_growth_mb", Stats.round(growth.rssMb(), MB_DIGITS));
      m.put("rss_mb", Stats.round(after.rssMb(), MB_DIGITS));
      m.put("physical_mb", Stats.round(after.physicalMb(), MB_DIGITS));
      return m;
    }
  }

  /** The trainers, PyTorch sessions and results of one model. */
  private static final class ModelBench {
    private final String model;
    private final SparseTrainer dense;
    private final SparseTrainer masked;
    private final TrainerMemory denseMemory;
    private final TrainerMemory maskedMemory;
    private final SparseTrainer graph;
    private final BaselineArm baseline;
    private final DensityMover mover;
    private final Map<String, List<Window>> windows = new LinkedHashMap<>();
    private final Map<String, StepPhases> phases = new LinkedHashMap<>();
    private final List<List<Double>> moverMs = new ArrayList<>();
    private TorchPeer.Session torchSession;
    private TorchPeer.Session torchOpenBlasSession;
    private double estimatedRoundSeconds;

    ModelBench(
        String model,
        SparseTrainer dense,
        SparseTrainer masked,
        TrainerMemory denseMemory,
        TrainerMemory maskedMemory,
        SparseTrainer graph,
        BaselineArm baseline) {
      this.model = model;
      this.graph = graph;
      this.baseline = baseline;
      this.dense = dense;
      this.masked = masked;
      this.denseMemory = denseMemory;
      this.maskedMemory = maskedMemory;
      BaselineSettings s = masked.settings();
      this.mover =
          new DensityMover(
              PruneCriteria.byName(s.prune()),
              GrowCriteria.byName(s.grow()),
              new SplittableRandom(s.seed()));
      for (String kind : List.of(DENSE, MASKED, GRAPH, BASELINE, TORCH, TORCH_OPENBLAS)) {
        windows.put(kind, new ArrayList<>());
      }
      // Attached after the warm-up: only the timed windows' steps are recorded.
      record(DENSE, dense);
      record(MASKED, masked);
      if (graph != null) {
        record(GRAPH, graph);
      }
    }

    private void record(String kind, SparseTrainer trainer) {
      StepPhases p = new StepPhases();
      trainer.recordPhases(p);
      phases.put(kind, p);
    }

    void closeSessions() throws IOException {
      if (baseline != null) {
        try {
          baseline.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (torchSession != null) {
        torchSession.close();
      }
      if (torchOpenBlasSession != null) {
        torchOpenBlasSession.close();
      }
    }

    /**
     * Times one DST mask update of every layer, made directly with a {@link DensityMover} of the
     * same criteria on the masked trainer's network (dense gradients computed beforehand, outside
     * the timing), at the prune fraction the run's schedule has now.
     */
    double timeMover(BatchPool pool) {
      SparseNetwork net = masked.network();
      BaselineSettings s = masked.settings();
      long end = s.updateEnd().resolve(masked.totalSteps());
      double fraction =
          PruneFractionDecay.byName(
                  s.pruneFractionDecay(), s.pruneFraction(), s.pruneFractionEnd(), end)
              .fraction(masked.stepCount());
      Batch batch = pool.next();
      INDArray[] gradients = net.denseGradients(batch.features(), batch.labels());
      long t0 = System.nanoTime();
      for (int i = 0; i < gradients.length; i++) {
        mover.pruneAndRegrow(net, i, fraction, gradients[i]);
      }
      long elapsed = System.nanoTime() - t0;
      for (INDArray g : gradients) {
        g.close();
      }
      return elapsed / NANOS_PER_MS;
    }

    /** Milliseconds per step of each phase, per recorded engine. */
    private Map<String, Object> phasesSummary() {
      Map<String, Object> out = new LinkedHashMap<>();
      phases.forEach(
          (kind, p) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            double sum = 0;
            for (Map.Entry<StepPhases.Phase, Double> e : p.msPerStep().entrySet()) {
              m.put(
                  e.getKey().name().toLowerCase(Locale.ROOT),
                  Stats.round(e.getValue(), PHASE_DIGITS));
              sum += e.getValue();
            }
            m.put("sum", Stats.round(sum, PHASE_DIGITS));
            m.put("steps", p.steps());
            out.put(kind, m);
          });
      return out;
    }

    private double rate(String kind, int round) {
      List<Window> w = windows.get(kind);
      return round < w.size() ? w.get(round).samplesPerSecond() : Double.NaN;
    }

    private double median(String kind) {
      return Stats.median(windows.get(kind).stream().map(Window::samplesPerSecond).toList());
    }

    private double medianOfRoundRatios(String numerator, String denominator) {
      List<Double> ratios = new ArrayList<>();
      for (int r = 0; r < windows.get(numerator).size(); r++) {
        ratios.add(Stats.ratio(rate(numerator, r), rate(denominator, r)));
      }
      return Stats.median(ratios);
    }

    /**
     * Median over rounds of (dense median step time / masked median step time, update steps left
     * out): a per-step cost ratio that long stalls of single steps on a busy machine do not move.
     */
    private double medianOfStepRatios() {
      List<Double> ratios = new ArrayList<>();
      for (int r = 0; r < windows.get(DENSE).size(); r++) {
        ratios.add(
            Stats.ratio(
                Stats.median(windows.get(DENSE).get(r).normalStepMs),
                Stats.median(windows.get(MASKED).get(r).normalStepMs)));
      }
      return Stats.median(ratios);
    }

    String roundLine(int round, int rounds) {
      Window m = windows.get(MASKED).get(round);
      return String.format(
          Locale.ROOT,
          "round %d/%d %s: dense %.1f/s, masked %.1f/s (%d update(s), update step +%.1f ms),"
              + " graph %.1f/s, baseline loop %.1f/s, torch %.1f/s, torch-openblas %.1f/s;"
              + " masked/dense %.3f, jitsparse/torch %.3f, jitsparse/torch-openblas %.3f,"
              + " baseline/masked %.3f, DensityMover %.1f ms",
          round + 1,
          rounds,
          model,
          rate(DENSE, round),
          rate(MASKED, round),
          m.updates,
          Stats.median(m.updateExtraMs),
          rate(GRAPH, round),
          rate(BASELINE, round),
          rate(TORCH, round),
          rate(TORCH_OPENBLAS, round),
          Stats.ratio(rate(MASKED, round), rate(DENSE, round)),
          Stats.ratio(rate(DENSE, round), rate(TORCH, round)),
          Stats.ratio(rate(DENSE, round), rate(TORCH_OPENBLAS, round)),
          Stats.ratio(rate(BASELINE, round), rate(MASKED, round)),
          Stats.median(moverMs.get(round)));
    }

    Map<String, Object> summary() {
      double denseRate = median(DENSE);
      double maskedRate = median(MASKED);
      List<Double> extras = new ArrayList<>();
      List<Double> moverAll = new ArrayList<>();
      int updates = 0;
      for (Window w : windows.get(MASKED)) {
        extras.addAll(w.updateExtraMs);
        updates += w.updates;
      }
      moverMs.forEach(moverAll::addAll);
      double updateMs = Stats.median(moverAll);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model);
      m.put("dense_samples_per_s", Stats.round(denseRate, RATE_DIGITS));
      m.put("masked_samples_per_s", Stats.round(maskedRate, RATE_DIGITS));
      m.put("masked_over_dense", Stats.round(Stats.ratio(maskedRate, denseRate), RATIO_DIGITS));
      m.put(
          "masked_over_dense_median_of_rounds",
          Stats.round(medianOfRoundRatios(MASKED, DENSE), RATIO_DIGITS));
      m.put("masked_over_dense_step_median", Stats.round(medianOfStepRatios(), RATIO_DIGITS));
      m.put("mask_update_ms", Stats.round(updateMs, MS_DIGITS));
      m.put(
          "mask_update_ms_method",
          "DensityMover.pruneAndRegrow over every layer, called directly on the masked trainer's"
              + " network "
              + MOVER_REPEATS
              + " times per round outside the timed windows (dense gradients computed"
              + " beforehand); median");
      m.put("update_step_extra_ms", Stats.round(Stats.median(extras), MS_DIGITS));
      m.put(
          "update_step_extra_ms_method",
          "median over the timed mask-update steps of (that step's time minus the median of the"
              + " other steps of its chunk): the update plus the dense-gradient copies, noisy");
      m.put("mask_updates_in_window", updates);
      m.put(
          "masked_over_dense_at_production_delta_t",
          Stats.round(Stats.median(productionRatios(updateMs)), RATIO_DIGITS));
      m.put(
          "masked_over_dense_at_production_delta_t_method",
          "per round: the masked window's time per step without its update steps, plus"
              + " mask_update_ms once per "
              + BenchTrainers.DEFAULT_DELTA_T
              + " steps, against the dense window; median over rounds");
      m.put("heap_mb", maskedMemory.toMap().get("heap_mb"));
      m.put("offheap_mb", maskedMemory.toMap().get("offheap_mb"));
      m.put("rss_mb", maskedMemory.toMap().get("rss_mb"));
      Map<String, Object> memory = new LinkedHashMap<>();
      memory.put("dense_trainer", denseMemory.toMap());
      memory.put("masked_trainer", maskedMemory.toMap());
      m.put("memory_per_trainer", memory);
      if (!windows.get(TORCH).isEmpty()) {
        double torchRate = median(TORCH);
        m.put("torch_samples_per_s", Stats.round(torchRate, RATE_DIGITS));
        m.put("jitsparse_over_torch", Stats.round(Stats.ratio(denseRate, torchRate), RATIO_DIGITS));
        m.put(
            "jitsparse_over_torch_median_of_rounds",
            Stats.round(medianOfRoundRatios(DENSE, TORCH), RATIO_DIGITS));
        m.put("masked_over_torch", Stats.round(Stats.ratio(maskedRate, torchRate), RATIO_DIGITS));
      }
      if (!windows.get(TORCH_OPENBLAS).isEmpty()) {
        double rate = median(TORCH_OPENBLAS);
        m.put("torch_openblas_samples_per_s", Stats.round(rate, RATE_DIGITS));
        m.put(
            "jitsparse_over_torch_openblas",
            Stats.round(Stats.ratio(denseRate, rate), RATIO_DIGITS));
        m.put(
            "jitsparse_over_torch_openblas_median_of_rounds",
            Stats.round(medianOfRoundRatios(DENSE, TORCH_OPENBLAS), RATIO_DIGITS));
        m.put(
            "masked_over_torch_openblas", Stats.round(Stats.ratio(maskedRate, rate), RATIO_DIGITS));
      }
      if (!windows.get(GRAPH).isEmpty()) {
        double graphRate = median(GRAPH);
        m.put("graph_samples_per_s", Stats.round(graphRate, RATE_DIGITS));
        m.put("direct_over_graph", Stats.round(Stats.ratio(denseRate, graphRate), RATIO_DIGITS));
        m.put(
            "direct_over_graph_median_of_rounds",
            Stats.round(medianOfRoundRatios(DENSE, GRAPH), RATIO_DIGITS));
        putOverTorch(m, "graph", graphRate);
      }
      if (!windows.get(BASELINE).isEmpty()) {
        double baselineRate = median(BASELINE);
        m.put("baseline_samples_per_s", Stats.round(baselineRate, RATE_DIGITS));
        m.put(
            "baseline_path_over_bare",
            Stats.round(Stats.ratio(baselineRate, maskedRate), RATIO_DIGITS));
        m.put(
            "baseline_path_over_bare_median_of_rounds",
            Stats.round(medianOfRoundRatios(BASELINE, MASKED), RATIO_DIGITS));
        m.put(
            "baseline_path_over_bare_all_rounds",
            Stats.round(Stats.ratio(totalRate(BASELINE), totalRate(MASKED)), RATIO_DIGITS));
        m.put(
            "baseline_path_over_bare_method",
            "the real jitsparse baseline loop (BaselineRun) of the masked settings over the bare"
                + " masked SparseTrainer.step loop, medians over rounds; each round's baseline"
                + " window is one epoch of loop iterations (one validation); _all_rounds divides"
                + " total samples by total time, so a checkpoint (every 1000 steps) is counted");
        putOverTorch(m, "baseline", baselineRate);
      }
      m.put("trainer_over_bare", null);
      m.put(
          "trainer_over_bare_note",
          "not measured by this benchmark: bench/run metrics times the real Trainer actor");
      m.put("phases_ms_per_step", phasesSummary());
      m.put("rounds", roundsSummary());
      return m;
    }

    /** {@code <prefix>_over_torch} and {@code <prefix>_over_torch_openblas} when those ran. */
    private void putOverTorch(Map<String, Object> m, String prefix, double rate) {
      if (!windows.get(TORCH).isEmpty()) {
        m.put(prefix + "_over_torch", Stats.round(Stats.ratio(rate, median(TORCH)), RATIO_DIGITS));
      }
      if (!windows.get(TORCH_OPENBLAS).isEmpty()) {
        m.put(
            prefix + "_over_torch_openblas",
            Stats.round(Stats.ratio(rate, median(TORCH_OPENBLAS)), RATIO_DIGITS));
      }
    }

    /** Samples per second over every round's window of {@code kind} together. */
    private double totalRate(String kind) {
      double seconds = 0;
      long steps = 0;
      for (Window w : windows.get(kind)) {
        seconds += w.seconds;
        steps += w.steps;
      }
      return seconds > 0 ? steps * (double) BenchTrainers.BATCH_SIZE / seconds : Double.NaN;
    }

    private List<Map<String, Object>> roundsSummary() {
      List<Map<String, Object>> out = new ArrayList<>();
      for (int r = 0; r < windows.get(DENSE).size(); r++) {
        Window d = windows.get(DENSE).get(r);
        Window k = windows.get(MASKED).get(r);
        Map<String, Object> round = new LinkedHashMap<>();
        round.put("round", r + 1);
        round.put("dense_samples_per_s", Stats.round(d.samplesPerSecond(), RATE_DIGITS));
        round.put("masked_samples_per_s", Stats.round(k.samplesPerSecond(), RATE_DIGITS));
        round.put(
            "masked_over_dense",
            Stats.round(Stats.ratio(k.samplesPerSecond(), d.samplesPerSecond()), RATIO_DIGITS));
        round.put("mask_updates", k.updates);
        round.put("update_step_extra_ms", Stats.round(Stats.median(k.updateExtraMs), MS_DIGITS));
        round.put("mask_update_ms", Stats.round(Stats.median(moverMs.get(r)), MS_DIGITS));
        round.put("dense_step_ms_median", Stats.round(Stats.median(d.normalStepMs), MS_DIGITS));
        round.put("masked_step_ms_median", Stats.round(Stats.median(k.normalStepMs), MS_DIGITS));
        if (r < windows.get(GRAPH).size()) {
          Window g = windows.get(GRAPH).get(r);
          round.put("graph_samples_per_s", Stats.round(g.samplesPerSecond(), RATE_DIGITS));
          round.put(
              "direct_over_graph",
              Stats.round(Stats.ratio(d.samplesPerSecond(), g.samplesPerSecond()), RATIO_DIGITS));
        }
        if (r < windows.get(BASELINE).size()) {
          Window bl = windows.get(BASELINE).get(r);
          round.put("baseline_samples_per_s", Stats.round(bl.samplesPerSecond(), RATE_DIGITS));
          round.put("baseline_steps", bl.steps);
          round.put(
              "baseline_path_over_bare",
              Stats.round(Stats.ratio(bl.samplesPerSecond(), k.samplesPerSecond()), RATIO_DIGITS));
        }
        if (r < windows.get(TORCH).size()) {
          double t = rate(TORCH, r);
          round.put("torch_samples_per_s", Stats.round(t, RATE_DIGITS));
          round.put(
              "jitsparse_over_torch",
              Stats.round(Stats.ratio(d.samplesPerSecond(), t), RATIO_DIGITS));
        }
        if (r < windows.get(TORCH_OPENBLAS).size()) {
          double t = rate(TORCH_OPENBLAS, r);
          round.put("torch_openblas_samples_per_s", Stats.round(t, RATE_DIGITS));
          round.put(
              "jitsparse_over_torch_openblas",
              Stats.round(Stats.ratio(d.samplesPerSecond(), t), RATIO_DIGITS));
        }
        out.add(round);
      }
      return out;
    }

    /** Per round, masked/dense as it would be with one mask update per production delta-t. */
    private List<Double> productionRatios(double updateMs) {
      List<Double> out = new ArrayList<>();
      for (int r = 0; r < windows.get(MASKED).size(); r++) {
        Window k = windows.get(MASKED).get(r);
        if (k.steps == k.updates || !Double.isFinite(updateMs)) {
          continue;
        }
        double step =
            k.normalSecondsPerStep() + updateMs / MS_PER_SECOND / BenchTrainers.DEFAULT_DELTA_T;
        out.add(BenchTrainers.BATCH_SIZE / step / windows.get(DENSE).get(r).samplesPerSecond());
      }
      return out;
    }
  }
}
