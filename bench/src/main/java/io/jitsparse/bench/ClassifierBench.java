package io.jitsparse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.env.data.Batch;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.train.SparseTrainer;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bench/run classifiers}: why the project ships the {@code linux-x86_64-onednn-avx2} ND4J
 * native binaries. For each classifier a fresh worker JVM, with that classifier's class path (built
 * by {@code bench/run} with {@code -Dnd4j.classifier=...}), times dense LeNet-5 training and checks
 * determinism: the loss and gradients of a fixed batch computed twice with the same weights must be
 * identical, and so must two calls of ND4J's {@code xw_plus_b} (whose oneDNN helper is why the
 * engine writes dense layers as {@code mmul + add}). Classifiers are interleaved over rounds and
 * their throughput reported as a ratio to the plain {@code linux-x86_64} build.
 */
public final class ClassifierBench {

  private static final String NAME = "classifiers";
  private static final String PLAIN = "linux-x86_64";
  private static final String DEFAULT_CLASSIFIERS =
      PLAIN + ",linux-x86_64-avx2,linux-x86_64-onednn-avx2";
  private static final int DEFAULT_ROUNDS = 2;
  private static final int DEFAULT_STEPS = 100;
  private static final int DEFAULT_WARMUP = 20;
  private static final String MODEL = "lenet5-caffe";
  private static final String DEFAULT_OUT = "bench/results/" + NAME + ".json";

  /** How many times the fixed batch's loss and gradients are computed (all must agree). */
  private static final int REPEATS = 3;

  /** Batches in the pool the timed loop cycles through. */
  private static final int POOL_BATCHES = 16;

  /** Shape of the {@code xw_plus_b} probe: LeNet-5's dense head on one batch. */
  private static final int PROBE_IN = 800;

  private static final int PROBE_HIDDEN = 500;
  private static final int PROBE_CLASSES = 10;
  private static final long PROBE_SEED = 7;

  /** Calls of the {@code xw_plus_b} probe (its oneDNN results alternate with period two). */
  private static final int PROBE_REPEATS = 4;

  private static final double HALF = 0.5;

  /** Marks the worker's result line on its standard output. */
  private static final String RESULT_MARK = "CLASSIFIER-RESULT ";

  private static final long WORKER_TIMEOUT_MINUTES = 20;
  private static final String NATIVE_LIBRARY = "nd4jcpu";
  private static final double NANOS_PER_SECOND = 1e9;
  private static final int RATE_DIGITS = 1;
  private static final int RATIO_DIGITS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClassifierBench() {}

  /** Entry point: {@code bench/run classifiers [flags]} (and the worker JVMs). */
  public static void main(String[] args) throws IOException {
    Flags flags =
        new Flags(NAME)
            .declare("rounds", DEFAULT_ROUNDS, "interleaved rounds; medians are over rounds")
            .declare("steps", DEFAULT_STEPS, "timed steps per classifier per round")
            .declare("warmup", DEFAULT_WARMUP, "untimed steps first, in each worker JVM")
            .declare("classifiers", DEFAULT_CLASSIFIERS, "comma-separated; the first is the base")
            .declare("classpath-dir", "bench/target/classifiers", "CLASSIFIER.txt class paths")
            .declare("bench-jar", "", "the bench module's jar (default: where this class is)")
            .declare("out", DEFAULT_OUT, "result file")
            .declare("worker", "", "internal: measure in this JVM for this classifier");
    if (!flags.parse(args)) {
      return;
    }
    if (!flags.string("worker").isEmpty()) {
      worker(flags);
    } else {
      driver(flags);
    }
  }

  private static void driver(Flags flags) throws IOException {
    Progress progress = new Progress(NAME);
    Map<String, Object> machine = Machine.describe();
    machine.put("classifier", "per worker, see classifiers[]");
    int rounds = flags.integer("rounds", 1);
    List<String> classifiers = flags.list("classifiers");
    Map<String, String> classPaths = new LinkedHashMap<>();
    for (String c : classifiers) {
      Path file = Path.of(flags.string("classpath-dir"), c + ".txt");
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "no class path for classifier " + c + " at " + file + " (bench/run builds it)");
      }
      classPaths.put(c, benchJar(flags) + File.pathSeparator + Files.readString(file).trim());
    }
    Map<String, List<JsonNode>> results = new LinkedHashMap<>();
    classifiers.forEach(c -> results.put(c, new ArrayList<>()));
    double perWorker = Double.NaN;
    int done = 0;
    int total = rounds * classifiers.size();
    for (int r = 0; r < rounds; r++) {
      for (String c : classifiers) {
        progress.line(
            perWorker * (total - done),
            String.format(Locale.ROOT, "round %d/%d %s: worker JVM started", r + 1, rounds, c));
        long t0 = System.nanoTime();
        JsonNode n = runWorker(flags, c, classPaths.get(c));
        results.get(c).add(n);
        done++;
        double seconds = (System.nanoTime() - t0) / NANOS_PER_SECOND;
        perWorker = Double.isNaN(perWorker) ? seconds : (perWorker * (done - 1) + seconds) / done;
        progress.line(
            perWorker * (total - done),
            String.format(
                Locale.ROOT,
                "round %d/%d %s: %.1f samples/s, deterministic %s, xw_plus_b deterministic %s",
                r + 1,
                rounds,
                c,
                n.get("samples_per_s").asDouble(),
                n.get("deterministic").asBoolean(),
                n.get("xw_plus_b_deterministic").asBoolean()));
      }
    }
    double base = Stats.median(rates(results.get(classifiers.get(0))));
    JsonNode baseLoss = results.get(classifiers.get(0)).get(0);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String c : classifiers) {
      List<JsonNode> runs = results.get(c);
      double rate = Stats.median(rates(runs));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("classifier", c);
      row.put("samples_per_s", Stats.round(rate, RATE_DIGITS));
      row.put("ratio_to_" + classifiers.get(0), Stats.round(Stats.ratio(rate, base), RATIO_DIGITS));
      row.put("deterministic", runs.stream().allMatch(n -> n.get("deterministic").asBoolean()));
      row.put(
          "xw_plus_b_deterministic",
          runs.stream().allMatch(n -> n.get("xw_plus_b_deterministic").asBoolean()));
      row.put(
          "loss_equals_" + classifiers.get(0),
          runs.get(0).get("losses").get(0).equals(baseLoss.get("losses").get(0)));
      row.put("native_library", runs.get(0).get("native_library").asText());
      row.put("nd4j_threads", runs.get(0).get("nd4j_threads").asInt());
      List<Object> perRound = new ArrayList<>();
      for (JsonNode n : runs) {
        perRound.add(JSON.convertValue(n, Map.class));
      }
      row.put("rounds", perRound);
      rows.add(row);
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-26s %10s %10s %14s %24s%n",
        "classifier",
        "samples/s",
        "ratio",
        "deterministic",
        "xw_plus_b deterministic");
    for (Map<String, Object> row : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-26s %10.1f %10.3f %14s %24s%n",
          row.get("classifier"),
          (Double) row.get("samples_per_s"),
          (Double) row.get("ratio_to_" + classifiers.get(0)),
          row.get("deterministic"),
          row.get("xw_plus_b_deterministic"));
    }
    System.out.println("per round (samples/s):");
    for (String c : classifiers) {
      System.out.printf(
          Locale.ROOT,
          "  %-26s %s%n",
          c,
          rates(results.get(c)).stream().map(v -> Stats.round(v, RATE_DIGITS)).toList());
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", NAME);
    result.put("machine", machine);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("model", MODEL);
    settings.put("method", BenchTrainers.DENSE);
    settings.put("rounds", rounds);
    settings.put("steps", flags.integer("steps", 1));
    settings.put("warmup", flags.integer("warmup", 0));
    settings.put("batch_size", BenchTrainers.BATCH_SIZE);
    settings.put("base", classifiers.get(0));
    settings.put(
        "jvm_options", ManagementFactory.getRuntimeMXBean().getInputArguments().toString());
    result.put("settings", settings);
    result.put("classifiers", rows);
    result.put("load_average_at_end", Machine.loadAverage());
    result.put("elapsed_s", Stats.round(progress.elapsedSeconds(), RATE_DIGITS));
    Path out = Path.of(flags.string("out"));
    ResultFile.write(out, result);
    progress.line(0, "wrote " + out);
  }

  /** The bench module's jar (or classes folder): {@code --bench-jar}, else where this class is. */
  private static String benchJar(Flags flags) {
    String jar = flags.string("bench-jar");
    if (!jar.isEmpty()) {
      return jar;
    }
    try {
      return Path.of(
              ClassifierBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate the bench module's classes", e);
    }
  }

  private static List<Double> rates(List<JsonNode> runs) {
    return runs.stream().map(n -> n.get("samples_per_s").asDouble()).toList();
  }

  /** Starts a worker JVM with the driver's JVM options and the classifier's class path. */
  private static JsonNode runWorker(Flags flags, String classifier, String classPath)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(
        List.of(
            "-cp",
            classPath,
            ClassifierBench.class.getName(),
            "--worker",
            classifier,
            "--steps",
            String.valueOf(flags.integer("steps", 1)),
            "--warmup",
            String.valueOf(flags.integer("warmup", 0))));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(WORKER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("worker for " + classifier + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith(RESULT_MARK)) {
        return JSON.readTree(line.substring(RESULT_MARK.length()));
      }
    }
    throw new IOException(
        "worker for "
            + classifier
            + " exited with "
            + p.exitValue()
            + " without a result:\n"
            + out);
  }

  /** Measures in this JVM and prints one result line. */
  private static void worker(Flags flags) throws IOException {
    String expected = flags.string("worker");
    int steps = flags.integer("steps", 1);
    int warmup = flags.integer("warmup", 0);
    String loaded = Machine.nativeClassifier();
    if (!loaded.equals(expected)) {
      throw new IllegalStateException(
          "worker for " + expected + " has " + loaded + " on its class path");
    }
    BatchPool pool = BatchPool.load(POOL_BATCHES, BenchTrainers.BATCH_SIZE, BenchTrainers.SEED);
    SparseTrainer trainer =
        BenchTrainers.create(
            MODEL, BenchTrainers.DENSE, BenchTrainers.DEFAULT_DELTA_T, (long) warmup + steps);
    Batch probe = pool.get(0);
    Determinism engine = engineDeterminism(trainer.network(), probe);
    List<Double> linear = xwPlusBLosses();
    for (int i = 0; i < warmup; i++) {
      Batch b = pool.next();
      trainer.step(b.features(), b.labels(), b.classes());
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      Batch b = pool.next();
      trainer.step(b.features(), b.labels(), b.classes());
    }
    double seconds = (System.nanoTime() - t0) / NANOS_PER_SECOND;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("classifier", loaded);
    r.put("samples_per_s", steps * (double) BenchTrainers.BATCH_SIZE / seconds);
    r.put("seconds", seconds);
    r.put("steps", steps);
    r.put("deterministic", engine.lossesEqual && engine.gradientsEqual);
    r.put("losses", engine.losses);
    r.put("gradients_identical", engine.gradientsEqual);
    r.put("xw_plus_b_deterministic", linear.stream().allMatch(l -> l.equals(linear.get(0))));
    r.put("xw_plus_b_losses", linear);
    r.put("native_library", nativeLibrary());
    r.put("nd4j_threads", Nd4j.getEnvironment().maxThreads());
    System.out.println(RESULT_MARK + JSON.writeValueAsString(r));
  }

  private record Determinism(List<Double> losses, boolean lossesEqual, boolean gradientsEqual) {}

  /**
   * The loss (evaluation mode) and the dense gradients of one fixed batch, computed {@link
   * #REPEATS} times with the same weights; equal means bit for bit.
   */
  private static Determinism engineDeterminism(SparseNetwork net, Batch b) {
    List<Double> losses = new ArrayList<>();
    List<float[]> gradients = new ArrayList<>();
    for (int i = 0; i < REPEATS; i++) {
      losses.add(net.evaluate(b.features(), b.labels(), b.classes()).lossSum());
      gradients.add(flatten(net.denseGradients(b.features(), b.labels())));
    }
    boolean lossesEqual = losses.stream().allMatch(l -> l.equals(losses.get(0)));
    boolean gradientsEqual = gradients.stream().allMatch(g -> Arrays.equals(g, gradients.get(0)));
    return new Determinism(losses, lossesEqual, gradientsEqual);
  }

  private static float[] flatten(INDArray[] arrays) {
    int n = 0;
    List<float[]> parts = new ArrayList<>();
    for (INDArray a : arrays) {
      float[] p = a.dup().data().asFloat();
      parts.add(p);
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /**
   * Whether a graph written with ND4J's {@code xw_plus_b} (SameDiff's {@code nn().linear}) gives
   * the same loss on the same batch and weights, {@link #PROBE_REPEATS} calls in a row. The graph
   * is LeNet-5's dense head (800-500-10, ReLU, softmax cross-entropy) on random inputs: with the
   * oneDNN helper the loss alternates between values from call to call.
   *
   * @return the losses, in call order
   */
  private static List<Double> xwPlusBLosses() {
    Nd4j.getRandom().setSeed(PROBE_SEED);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, PROBE_IN);
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, PROBE_CLASSES);
    SDVariable w1 = sd.var("w1", centred(PROBE_IN, PROBE_IN, PROBE_HIDDEN));
    SDVariable b1 = sd.var("b1", centred(PROBE_IN, PROBE_HIDDEN));
    SDVariable w2 = sd.var("w2", centred(PROBE_HIDDEN, PROBE_HIDDEN, PROBE_CLASSES));
    SDVariable b2 = sd.var("b2", centred(PROBE_HIDDEN, PROBE_CLASSES));
    SDVariable hidden = sd.nn().relu(sd.nn().linear(x, w1, b1), 0);
    SDVariable logits = sd.nn().linear(hidden, w2, b2);
    sd.loss().softmaxCrossEntropy("loss", labels, logits, null);
    INDArray input = Nd4j.rand(DataType.FLOAT, BenchTrainers.BATCH_SIZE, PROBE_IN);
    INDArray oneHot = Nd4j.zeros(DataType.FLOAT, BenchTrainers.BATCH_SIZE, PROBE_CLASSES);
    for (int i = 0; i < BenchTrainers.BATCH_SIZE; i++) {
      oneHot.putScalar(i, i % PROBE_CLASSES, 1f);
    }
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i < PROBE_REPEATS; i++) {
      losses.add(sd.output(Map.of("x", input, "labels", oneHot), "loss").get("loss").getDouble(0));
    }
    return losses;
  }

  /** Uniform in +-1/sqrt(fan-in), PyTorch's initialisation. */
  private static INDArray centred(long fanIn, long... shape) {
    double bound = 1 / Math.sqrt(fanIn);
    return Nd4j.rand(DataType.FLOAT, shape).subi(HALF).muli(2 * bound);
  }

  /** Where JavaCPP loaded libnd4jcpu from: the path names the classifier's jar. */
  private static String nativeLibrary() {
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      if (e.getKey().contains(NATIVE_LIBRARY) && e.getValue() != null) {
        return e.getValue();
      }
    }
    return "unknown";
  }
}
