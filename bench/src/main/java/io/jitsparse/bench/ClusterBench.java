package io.jitsparse.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.env.loadgen.LoadReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run cluster}: the decision round trip of simulated trainers against a real
 * agent-node process, over loopback, for growing numbers of trainers; and, as the peer measured in
 * the same run, the same load with agent and load generator in one JVM (no network).
 *
 * <p>It starts {@code java -jar cli/target/jitsparse.jar agent-node ...} once, reads the cluster
 * port from its {@code jitsparse: cluster address pekko://jitsparse@HOST:PORT} line, then runs one
 * {@code jitsparse loadgen --seed-node ...} process per N (1, 64, 512, then doubling while the
 * previous N kept p99 under the target with nothing dropped), each writing its {@link LoadReport}
 * with {@code --json}; then {@code jitsparse loadgen --embedded-agent} for the baseline Ns. Every
 * child is a separate JVM, so the cross-process figures include serialization and the network
 * stack, as in production. The agent is stopped by its PID at the end, also on failure.
 */
public final class ClusterBench {

  private static final String NAME = "cluster";
  private static final String DEFAULT_OUT = "bench/results/" + NAME + ".json";
  private static final String DEFAULT_JAR = "cli/target/jitsparse.jar";
  private static final String DEFAULT_TRAINERS = "1,64,512";
  private static final String DEFAULT_BASELINE = "64,512";
  private static final int DEFAULT_MAX_TRAINERS = 2048;
  private static final int DEFAULT_DURATION_S = 30;
  private static final int DEFAULT_WARMUP_S = 10;
  private static final int QUICK_DURATION_S = 8;
  private static final int QUICK_WARMUP_S = 3;
  private static final int QUICK_MAX_TRAINERS = 64;
  private static final int DEFAULT_STARTUP_S = 120;
  private static final double DEFAULT_TARGET_P99_MS = 20;

  /** resnet18's channel multiplier for the observation-size figure (the loadgen default). */
  private static final double RESNET_WIDTH = 0.25;

  private static final String AGENT_OPTS =
      "-Xmx1g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=1g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=3g";
  private static final String LOADGEN_OPTS =
      "-Xmx1g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=1g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=3g";

  /** Time a load generator may take beyond warm-up and window (JVM start, ND4J, reporting). */
  private static final int LOADGEN_SLACK_S = 120;

  private static final int AGENT_STOP_S = 15;
  private static final int TAIL_LINES = 40;
  private static final int MS_DIGITS = 2;
  private static final int RATE_DIGITS = 1;
  private static final int RATIO_DIGITS = 2;

  static final String CROSS_PROCESS = "cross-process";
  static final String ONE_JVM = "one-jvm";

  /** The agent-node's line that gives its cluster address (printed once the node is up). */
  private static final Pattern CLUSTER_ADDRESS =
      Pattern.compile("jitsparse: cluster address pekko://[^@\\s]+@([^:\\s]+):(\\d+)");

  private static final Pattern HTTP_ADDRESS = Pattern.compile("jitsparse: http (\\S+)");

  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterBench() {}

  /** Entry point: {@code bench/run cluster [flags]}. */
  public static void main(String[] args) throws Exception {
    Flags flags =
        new Flags(NAME)
            .declare("quick", false, "short smoke run: 8 s windows, N up to 64, baseline at 64")
            .declare("trainers", DEFAULT_TRAINERS, "Ns always measured against the agent-node")
            .declare(
                "max-trainers",
                DEFAULT_MAX_TRAINERS,
                "then double N up to this while the previous N met the target")
            .declare("baseline", DEFAULT_BASELINE, "Ns measured with --embedded-agent (one JVM)")
            .declare("interval", "1s", "decision interval of every simulated trainer")
            .declare("duration", DEFAULT_DURATION_S, "seconds of each measured window")
            .declare("warmup", DEFAULT_WARMUP_S, "seconds of warm-up before each window")
            .declare("target-p99-ms", DEFAULT_TARGET_P99_MS, "p99 round trip the agent must keep")
            .declare("jar", DEFAULT_JAR, "the jitsparse fat jar")
            .declare("java", Path.of(System.getProperty("java.home"), "bin", "java"), "java")
            .declare("agent-opts", AGENT_OPTS, "JVM options of the agent-node")
            .declare("loadgen-opts", LOADGEN_OPTS, "JVM options of each loadgen")
            .declare(
                "tls-dir",
                "",
                "remoting TLS files (k8s/tls/make-certs.sh) for the agent-node and the"
                    + " cross-process loadgens; empty: plain TCP")
            .declare("startup-timeout", DEFAULT_STARTUP_S, "seconds to wait for the agent-node")
            .declare("out", DEFAULT_OUT, "result file");
    if (!flags.parse(args)) {
      return;
    }
    new ClusterBench.Run(flags).execute();
  }

  /** One benchmark run: the agent process, the load runs and their results. */
  private static final class Run {
    private final Flags flags;
    private final boolean quick;
    private final int duration;
    private final int warmup;
    private final double targetP99;
    private final Path jar;
    private final Progress progress = new Progress(NAME);
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final Map<String, LoadReport> reports = new LinkedHashMap<>();
    private final Path work;
    private Process agent;

    Run(Flags flags) throws IOException {
      this.flags = flags;
      this.quick = flags.bool("quick");
      this.duration = quick ? QUICK_DURATION_S : flags.integer("duration", 1);
      this.warmup = quick ? QUICK_WARMUP_S : flags.integer("warmup", 0);
      this.targetP99 = Double.parseDouble(flags.string("target-p99-ms"));
      this.jar = Path.of(flags.string("jar"));
      this.work = Files.createTempDirectory("jitsparse-cluster-bench");
    }

    void execute() throws Exception {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: build it with `mvn -pl cli -am package -DskipTests`");
      }
      Map<String, Object> machine = machine();
      // kill the agent on Ctrl-C too; the normal path kills it in the finally block
      Thread hook = new Thread(this::stopAgent, "stop-agent");
      Runtime.getRuntime().addShutdownHook(hook);
      String seed;
      try {
        seed = startAgent();
        int maxN = quick ? QUICK_MAX_TRAINERS : flags.integer("max-trainers", 1);
        LoadReport previous = null;
        for (int n : crossProcessNs()) {
          previous = crossProcess(n, seed);
        }
        // then double N for as long as the agent keeps up: where it stops is the saturation point
        while (previous != null && keptUp(previous) && previous.trainers() * 2 <= maxN) {
          previous = crossProcess(previous.trainers() * 2, seed);
        }
      } finally {
        stopAgent();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      for (int n : baselineNs()) {
        loadgen(ONE_JVM, n, List.of("--embedded-agent"));
      }
      machine.put("load_average_at_end", Machine.loadAverage());
      printTable();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("benchmark", NAME);
      result.put("machine", machine);
      result.put("settings", settings());
      result.put("results", results);
      result.put("saturation", saturation());
      result.put("observation_bytes", observationBytes());
      Path out = Path.of(flags.string("out"));
      ResultFile.write(out, result);
      progress.line(0, "wrote " + out);
    }

    /** Protobuf size of a mid-episode Observation (and registration) per model shape. */
    private Map<String, Object> observationBytes() {
      Map<String, Object> sizes = new LinkedHashMap<>();
      for (String model : List.of("lenet5-caffe", "resnet18")) {
        var tensors = io.jitsparse.env.loadgen.ModelShapes.of(model, RESNET_WIDTH);
        var synthetic =
            new io.jitsparse.env.loadgen.SyntheticObservations(
                "bench-node-0", "bench-node", model, tensors, 1, 20, 100, 0.05);
        int observation = synthetic.observation(0, 10, System.nanoTime()).getSerializedSize();
        int registration = synthetic.description().getSerializedSize();
        sizes.put(
            model,
            Map.of(
                "layers", tensors.size(),
                "observation", observation,
                "trainer_description", registration));
        progress.line(
            0,
            String.format(
                "protobuf size of a %s Observation (%d layers): %d bytes; registration %d bytes",
                model, tensors.size(), observation, registration));
      }
      return sizes;
    }

    private LoadReport crossProcess(int n, String seed) throws Exception {
      List<String> target = new ArrayList<>(List.of("--seed-node", seed));
      target.addAll(tls());
      LoadReport r = loadgen(CROSS_PROCESS, n, target);
      if (!agent.isAlive()) {
        throw new IllegalStateException("the agent-node exited during the run at N = " + n);
      }
      return r;
    }

    /** {@code --tls-dir DIR} of the nodes that talk over the network; none for plain TCP. */
    private List<String> tls() {
      String dir = flags.string("tls-dir");
      return dir.isBlank() ? List.of() : List.of("--tls-dir", dir);
    }

    private boolean keptUp(LoadReport r) {
      return r.rttP99Ms() < targetP99 && r.dropped() == 0;
    }

    private List<Integer> crossProcessNs() {
      int max = quick ? QUICK_MAX_TRAINERS : Integer.MAX_VALUE;
      return flags.list("trainers").stream().map(Integer::parseInt).filter(n -> n <= max).toList();
    }

    private List<Integer> baselineNs() {
      int max = quick ? QUICK_MAX_TRAINERS : Integer.MAX_VALUE;
      return flags.list("baseline").stream().map(Integer::parseInt).filter(n -> n <= max).toList();
    }

    /** Starts the agent-node and returns {@code HOST:PORT} of its cluster address. */
    private String startAgent() throws Exception {
      List<String> cmd = java(flags.string("agent-opts"));
      cmd.addAll(
          List.of(
              "agent-node",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "0",
              "--run-id",
              "bench"));
      cmd.addAll(tls());
      progress.line(Double.NaN, "starting the agent-node: " + String.join(" ", cmd));
      agent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      CompletableFuture<String> address = new CompletableFuture<>();
      Deque<String> tail = new ArrayDeque<>();
      pump(
          agent,
          "[agent] ",
          tail,
          line -> {
            Matcher m = CLUSTER_ADDRESS.matcher(line);
            if (m.find()) {
              address.complete(m.group(1) + ":" + m.group(2));
            }
            Matcher h = HTTP_ADDRESS.matcher(line);
            // the agent's own lines and problems are shown; its routine logging is not
            return line.startsWith("jitsparse") || h.find() || line.contains("ERROR");
          });
      agent
          .onExit()
          .thenRun(
              () ->
                  address.completeExceptionally(
                      new IllegalStateException(
                          "the agent-node exited (code "
                              + agent.exitValue()
                              + ") before it was up:\n"
                              + String.join("\n", tail))));
      String seed = address.get(flags.integer("startup-timeout", 1), TimeUnit.SECONDS);
      progress.line(Double.NaN, "agent-node up at " + seed + " (pid " + agent.pid() + ")");
      return seed;
    }

    /** Stops the agent by its PID: SIGTERM (its coordinated shutdown), then SIGKILL. */
    private void stopAgent() {
      Process p = agent;
      if (p == null || !p.isAlive()) {
        return;
      }
      p.destroy();
      try {
        if (!p.waitFor(AGENT_STOP_S, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    /** Runs one loadgen process and records its report. */
    private LoadReport loadgen(String mode, int n, List<String> target) throws Exception {
      Path json = work.resolve(mode + "-" + n + ".json");
      List<String> cmd = java(flags.string("loadgen-opts"));
      cmd.add("loadgen");
      cmd.addAll(target);
      cmd.addAll(
          List.of(
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "0",
              "--trainers",
              Integer.toString(n),
              "--interval",
              flags.string("interval"),
              "--duration",
              duration + "s",
              "--warmup",
              warmup + "s",
              // fresh trainer ids per run: the agent may still hold the previous run's explorers
              "--node-name",
              "bench-" + mode + "-" + n,
              "--json",
              json.toString()));
      progress.line(Double.NaN, mode + " N = " + n + ": " + String.join(" ", cmd));
      long start = System.nanoTime();
      long[] machineBefore = machineTicks();
      long agentCpuBefore = agentCpuNanos();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Deque<String> tail = new ArrayDeque<>();
      String prefix = "[loadgen " + mode + " " + n + "] ";
      pump(p, prefix, tail, line -> line.startsWith("jitsparse") || line.contains("ERROR"));
      try {
        if (!p.waitFor(warmup + duration + LOADGEN_SLACK_S, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              prefix + "did not finish; last lines:\n" + String.join("\n", tail));
        }
      } finally {
        p.destroyForcibly();
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(json)) {
        throw new IllegalStateException(
            prefix
                + "exited with "
                + p.exitValue()
                + " without a report; last lines:\n"
                + String.join("\n", tail));
      }
      double wall = (System.nanoTime() - start) / 1e9;
      long[] machineAfter = machineTicks();
      long agentCpuAfter = agentCpuNanos();
      String text = Files.readString(json);
      LoadReport r = LoadReport.fromJson(text);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("mode", mode);
      row.putAll(JSON.readValue(text, new TypeReference<Map<String, Object>>() {}));
      row.put("wall_s", Stats.round(wall, RATE_DIGITS));
      // where the time goes: cores the agent process used and cores the whole machine was busy,
      // averaged over the loadgen's life (start-up, warm-up and window)
      if (agentCpuBefore >= 0 && agentCpuAfter >= 0 && !mode.equals(ONE_JVM)) {
        row.put("agent_cpu_cores", Stats.round((agentCpuAfter - agentCpuBefore) / 1e9 / wall, 3));
      }
      if (machineBefore != null && machineAfter != null) {
        long busy = machineAfter[0] - machineBefore[0];
        long total = machineAfter[1] - machineBefore[1];
        row.put(
            "machine_busy_cores",
            Stats.round(
                total == 0 ? 0 : busy / (double) total * Runtime.getRuntime().availableProcessors(),
                3));
      }
      results.add(row);
      reports.put(mode + ":" + n, r);
      progress.line(Double.NaN, mode + " N = " + n + ": " + r.summaryLine());
      return r;
    }

    /** CPU time the agent-node process has used so far, or -1 when unknown. */
    private long agentCpuNanos() {
      if (agent == null || !agent.isAlive()) {
        return -1;
      }
      return agent.toHandle().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat, or null off Linux. */
    private static long[] machineTicks() {
      try {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    /** Copies a child's output to ours (lines that {@code show} accepts) and keeps its tail. */
    private void pump(Process p, String prefix, Deque<String> tail, Predicate<String> show) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    synchronized (tail) {
                      tail.addLast(line);
                      if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                      }
                    }
                    if (show.test(line)) {
                      System.out.println(prefix + line);
                    }
                  }
                } catch (IOException e) {
                  // the child went away: nothing more to copy
                }
              },
              "pump-" + p.pid());
      t.setDaemon(true);
      t.start();
    }

    private List<String> java(String opts) {
      return NodeChild.jarCommand(flags.string("java"), opts, jar.toString());
    }

    private void printTable() {
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-14s %6s %9s %9s %9s %10s %12s %8s %11s %11s %9s%n",
          "mode",
          "N",
          "p50 ms",
          "p99 ms",
          "max ms",
          "obs/s",
          "transitions/s",
          "dropped",
          "p99 x/1jvm",
          "agent cores",
          "busy/" + Runtime.getRuntime().availableProcessors());
      for (Map<String, Object> row : results) {
        String mode = (String) row.get("mode");
        LoadReport r = reports.get(mode + ":" + row.get("trainers"));
        double ratio = ratio(r.trainers());
        row.put("p99_cross_over_one_jvm", Stats.round(ratio, RATIO_DIGITS));
        System.out.printf(
            Locale.ROOT,
            "%-14s %6d %9.2f %9.2f %9.2f %10.1f %12s %8d %11s %11s %9s%n",
            mode,
            r.trainers(),
            r.rttP50Ms(),
            r.rttP99Ms(),
            r.rttMaxMs(),
            r.observationsPerS(),
            r.transitionsPerS() == null
                ? "?"
                : String.format(Locale.ROOT, "%.1f", r.transitionsPerS()),
            r.dropped(),
            Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "-",
            row.getOrDefault("agent_cpu_cores", "-"),
            row.getOrDefault("machine_busy_cores", "-"));
      }
      System.out.println();
    }

    /** p99 against the agent-node over p99 in one JVM, for an N measured both ways. */
    private double ratio(int n) {
      LoadReport cross = reports.get(CROSS_PROCESS + ":" + n);
      LoadReport one = reports.get(ONE_JVM + ":" + n);
      return cross == null || one == null
          ? Double.NaN
          : Stats.ratio(cross.rttP99Ms(), one.rttP99Ms());
    }

    /** The first N at which the agent-node missed the target, or null when it kept up. */
    private Map<String, Object> saturation() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("target_p99_ms", targetP99);
      // Saturation is about load: the largest N that met the target, and the first larger N that
      // missed it. A miss at a smaller N (N = 1's p99 is nearly its max: ~30 samples) is reported
      // apart, not taken for saturation.
      Integer largestOk = null;
      Integer firstMiss = null;
      List<Integer> missesBelow = new ArrayList<>();
      for (Map.Entry<String, LoadReport> e : reports.entrySet()) {
        if (e.getKey().startsWith(CROSS_PROCESS) && keptUp(e.getValue())) {
          int n = e.getValue().trainers();
          largestOk = largestOk == null ? n : Math.max(largestOk, n);
        }
      }
      for (Map.Entry<String, LoadReport> e : reports.entrySet()) {
        if (!e.getKey().startsWith(CROSS_PROCESS) || keptUp(e.getValue())) {
          continue;
        }
        int n = e.getValue().trainers();
        if (largestOk != null && n < largestOk) {
          missesBelow.add(n);
        } else if (firstMiss == null || n < firstMiss) {
          firstMiss = n;
        }
      }
      s.put("largest_n_meeting_target", largestOk);
      s.put("misses_below_it", missesBelow);
      s.put("first_n_missing_target", firstMiss);
      return s;
    }

    private Map<String, Object> settings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("quick", quick);
      s.put("interval", flags.string("interval"));
      s.put("duration_s", duration);
      s.put("warmup_s", warmup);
      s.put("max_trainers", quick ? QUICK_MAX_TRAINERS : flags.integer("max-trainers", 1));
      s.put("agent_opts", flags.string("agent-opts"));
      s.put("loadgen_opts", flags.string("loadgen-opts"));
      s.put("jar", jar.toString());
      s.put("remoting", flags.string("tls-dir").isBlank() ? "tcp" : "tls-tcp");
      return s;
    }

    private static Map<String, Object> machine() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cores", Runtime.getRuntime().availableProcessors());
      m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
      m.put("java", System.getProperty("java.version"));
      m.put("load_average_at_start", Machine.loadAverage());
      String busy = Machine.busyWarning();
      if (busy != null) {
        m.put("warning", busy);
      }
      return m;
    }
  }
}
