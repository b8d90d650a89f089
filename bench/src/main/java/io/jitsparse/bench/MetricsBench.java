package io.jitsparse.bench;

import com.google.protobuf.Message;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.node.EpisodeJournal;
import io.jitsparse.env.trainer.Trainer;
import io.jitsparse.env.trainer.TrainerData;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.monitoring.NodeMeters;
import io.jitsparse.protocol.v1.StepStateBatch;
import io.jitsparse.protocol.v1.SubscribeStepStates;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code bench/run metrics}: what monitoring costs (issue 6), both figures measured in one run.
 *
 * <ol>
 *   <li><b>Scrape size</b>: for each N of {@code --trainers} (2, 8), a real {@code jitsparse
 *       agent-node} process and a real {@code jitsparse env-node} process with N trainers (short
 *       episodes, small data) join over loopback. Once every series of the run exists (N explorers,
 *       every trainer's per-layer density series, at least one completed episode per trainer and
 *       its explorer's policy-lag series), each node's {@code /metrics} is fetched {@code
 *       --scrapes} times (interleaved): bytes of the exposition, series (sample lines), {@code
 *       jitsparse_*} series, series labelled {@code trainer}, and the time of one GET. The series
 *       that scale per trainer are the slope between the smallest and the largest N. Both children
 *       are stopped by their PID at the end of each N. The exposition's families are checked
 *       against the catalogue ({@code docs/metrics.md}).
 *   <li><b>Metrics overhead</b>: in this JVM, the real env-node trainer ({@link Trainer} on {@code
 *       jitsparse.trainer-dispatcher} in a local Pekko system, no agent, so it follows its fallback
 *       schedule) trains {@code --round-steps} steps per round, alternately ("with") registering
 *       its meters on a real {@link NodeMeters} Prometheus registry that a background thread
 *       scrapes every {@code --scrape-interval-ms}, and ("without") on an empty {@link
 *       CompositeMeterRegistry}, whose meters do nothing. Throughput is timed from the trainer's
 *       step states ({@code SubscribeStepStates}), which do not go through any registry.
 * </ol>
 */
public final class MetricsBench {

  private static final String NAME = "metrics";
  private static final String DEFAULT_OUT = "bench/results/" + NAME + ".json";
  private static final String DEFAULT_JAR = "cli/target/jitsparse.jar";
  private static final String DEFAULT_CATALOGUE = "docs/metrics.md";
  private static final String MODEL = "lenet5-caffe";

  private static final int DEFAULT_SCRAPES = 10;
  private static final int DEFAULT_STARTUP_S = 120;
  private static final int DEFAULT_READY_S = 600;
  private static final int DEFAULT_EPISODE_STEPS = 60;
  private static final int DEFAULT_DECISION_INTERVAL = 10;
  private static final int DEFAULT_ROUNDS = 6;
  private static final int DEFAULT_ROUND_STEPS = 200;
  private static final int DEFAULT_WARMUP_STEPS = 20;
  private static final int DEFAULT_PRIME_STEPS = 60;
  private static final int DEFAULT_SCRAPE_INTERVAL_MS = 1000;

  /** Production episode shape for the overhead rounds (reference.conf). */
  private static final int OVERHEAD_EPISODE_STEPS = 200;

  private static final int OVERHEAD_DECISION_INTERVAL = 20;

  private static final String AGENT_OPTS =
      "-Xmx1g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=1g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=3g";

  /** The jitsparse launcher's options: the env-node trains as in production. */
  private static final String ENV_OPTS =
      "-Xmx2g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=4g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=8g"
          + " -Dorg.eclipse.deeplearning4j.helpers.disable=false";

  private static final Pattern CLUSTER_ADDRESS =
      Pattern.compile("jitsparse: cluster address pekko://[^@\\s]+@([^:\\s]+):(\\d+)");
  private static final Pattern HTTP_ADDRESS = Pattern.compile("jitsparse: http (http://[^\\s/]+)");

  private static final String EXPLORERS = "jitsparse_agent_explorers";
  private static final String LAYER_DENSITY = "jitsparse_trainer_layer_density";
  private static final String EPISODES = "jitsparse_trainer_episodes_total";
  private static final String COMPLETED = "outcome=\"completed\"";
  private static final String POLICY_LAG = "jitsparse_agent_explorer_policy_lag";
  private static final String JITSPARSE = "jitsparse_";
  private static final String TRAINER_LABEL = "trainer=\"";
  private static final String LOADGEN = "jitsparse_loadgen_";
  private static final String MAX_SUFFIX = "_max";

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration CHILD_STOP = Duration.ofSeconds(30);
  private static final Duration TRAINER_STOP = Duration.ofSeconds(60);
  private static final Duration WAIT_LINE_EVERY = Duration.ofSeconds(15);

  private static final String TRAINER_ID = "metricsbench-0";
  private static final String TRAINER_LOG_LEVEL =
      "org.slf4j.simpleLogger.log." + Trainer.class.getName();
  private static final String NODE = "metricsbench";
  private static final String WITH = "with";
  private static final String WITHOUT = "without";

  /** What the "without" arm is, printed and written with the figures. */
  static final String WITHOUT_MEANS =
      "without = the trainer's meters registered on an empty Micrometer CompositeMeterRegistry"
          + " (no registry added: every counter, gauge, timer and histogram is a no-op, nothing is"
          + " stored and nothing scrapes); with = a real NodeMeters PrometheusMeterRegistry (common"
          + " tags, JVM and process binders) scraped in process (registry.scrape(), the text"
          + " /metrics serves, without the HTTP hop) by a background thread every scrape interval";

  private static final int MS_DIGITS = 3;
  private static final int RATE_DIGITS = 2;
  private static final int RATIO_DIGITS = 4;
  private static final double NANOS = 1e9;
  private static final double NANOS_PER_MS = 1e6;

  private MetricsBench() {}

  /** Entry point: {@code bench/run metrics [flags]}. */
  public static void main(String[] args) throws Exception {
    // With no agent, a trainer's acknowledgement window fills after 8 decisions and it logs a
    // warning for every observation it drops from then on; in both arms alike. Kept out of the
    // benchmark's output (the drops are still counted by the trainer's meters).
    System.setProperty(TRAINER_LOG_LEVEL, System.getProperty(TRAINER_LOG_LEVEL, "error"));
    Flags flags =
        new Flags(NAME)
            .declare("trainers", "2,8", "trainers of the env-node for the scrape sizes")
            .declare("model", MODEL, "model of every trainer (both parts)")
            .declare("episode-steps", DEFAULT_EPISODE_STEPS, "episode length for the scrape sizes")
            .declare(
                "decision-interval", DEFAULT_DECISION_INTERVAL, "decision interval, scrape sizes")
            .declare("scrapes", DEFAULT_SCRAPES, "timed GET /metrics per node and N")
            .declare("ready-timeout", DEFAULT_READY_S, "seconds for every series of a run to exist")
            .declare(
                "rounds", DEFAULT_ROUNDS, "overhead rounds per arm (with, without, interleaved)")
            .declare("round-steps", DEFAULT_ROUND_STEPS, "timed training steps per round")
            .declare(
                "warmup-steps", DEFAULT_WARMUP_STEPS, "untimed steps at the start of every round")
            .declare(
                "prime-steps", DEFAULT_PRIME_STEPS, "steps of an untimed first round (0 = none)")
            .declare(
                "overhead-episode-steps",
                OVERHEAD_EPISODE_STEPS,
                "episode length in the overhead rounds (production 200)")
            .declare(
                "overhead-decision-interval",
                OVERHEAD_DECISION_INTERVAL,
                "decision interval in the overhead rounds (production 20)")
            .declare(
                "scrape-interval-ms",
                DEFAULT_SCRAPE_INTERVAL_MS,
                "in-process scrape period of the 'with' arm (Prometheus default 15000; 100 = stress)")
            .declare("scrape-size", true, "run part 1 (scrape size of real nodes)")
            .declare("overhead", true, "run part 2 (metrics overhead on a trainer)")
            .declare("catalogue", DEFAULT_CATALOGUE, "metric catalogue checked against /metrics")
            .declare("jar", DEFAULT_JAR, "the jitsparse fat jar")
            .declare("java", Path.of(System.getProperty("java.home"), "bin", "java"), "java")
            .declare("agent-opts", AGENT_OPTS, "JVM options of the agent-node")
            .declare("env-opts", ENV_OPTS, "JVM options of the env-node")
            .declare("startup-timeout", DEFAULT_STARTUP_S, "seconds to wait for a node to start")
            .declare("out", DEFAULT_OUT, "result file");
    if (!flags.parse(args)) {
      return;
    }
    new Run(flags).execute();
  }

  /** The cumulative step count of the trainer under test and when each batch of it arrived. */
  private static final class StepClock {
    private long count;

    /** Adds {@code n} step states that have just arrived. */
    synchronized void add(int n) {
      count += n;
      notifyAll();
    }

    /**
     * Waits until at least {@code target} step states have arrived.
     *
     * @return the count then, {@link System#nanoTime()} of the arrival that reached it and this
     *     process's CPU time then
     */
    synchronized long[] await(long target, Duration timeout, String what)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              what + ": only " + count + " of " + target + " steps within " + timeout);
        }
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return new long[] {count, System.nanoTime(), processCpuNanos()};
    }
  }

  /** CPU time of this whole JVM (every thread: trainer, scraper, actors, GC), or -1. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** One benchmark run. */
  private static final class Run {
    private final Flags flags;
    private final Progress progress = new Progress(NAME);
    private final List<NodeChild> children = new ArrayList<>();
    private final Path work;
    private final double planned;

    Run(Flags flags) throws IOException {
      this.flags = flags;
      this.work = Files.createTempDirectory("jitsparse-metrics-bench");
      this.planned = plannedSeconds();
    }

    private List<Integer> trainers() {
      return flags.list("trainers").stream().map(String::trim).map(Integer::parseInt).toList();
    }

    /** A rough plan of the run's length, for the progress lines' ETA. */
    private double plannedSeconds() {
      double sizes = 0;
      if (flags.bool("scrape-size")) {
        for (int n : trainers()) {
          sizes += 20 + 10.0 * n;
        }
      }
      double overhead = 0;
      if (flags.bool("overhead")) {
        int steps = flags.integer("round-steps", 1) + flags.integer("warmup-steps", 0);
        overhead =
            2.0 * flags.integer("rounds", 1) * (3 + steps / 12.0)
                + 10
                + flags.integer("prime-steps", 0) / 6.0;
      }
      return sizes + overhead;
    }

    private void line(String message) {
      progress.line(Math.max(0, planned - progress.elapsedSeconds()), message);
    }

    void execute() throws Exception {
      Map<String, Object> machine = Machine.describe();
      String busy = Machine.busyWarning();
      if (busy != null) {
        line(busy);
      }
      Thread hook = new Thread(this::stopChildren, "stop-children");
      Runtime.getRuntime().addShutdownHook(hook);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("benchmark", NAME);
      result.put("machine", machine);
      result.put("settings", settings());
      try {
        if (flags.bool("scrape-size")) {
          result.put("scrape_size", scrapeSize());
        }
        if (flags.bool("overhead")) {
          result.put("overhead", overhead());
        }
      } finally {
        stopChildren();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      machine.put("load_average_at_end", Machine.loadAverage());
      result.put("wall_s", Stats.round(progress.elapsedSeconds(), 1));
      printSummary(result);
      Path out = Path.of(flags.string("out"));
      ResultFile.write(out, result);
      line("wrote " + out);
    }

    // ---------------------------------------------------------------- part 1: scrape size

    private Map<String, Object> scrapeSize() throws Exception {
      Path jar = Path.of(flags.string("jar"));
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: build it with `mvn -pl cli -am package -DskipTests`");
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      Map<String, Map<String, String>> families = new TreeMap<>();
      Map<String, TreeSet<String>> withoutHelp = new TreeMap<>();
      for (int n : trainers()) {
        rows.addAll(sizesAt(n, families, withoutHelp));
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("model", flags.string("model"));
      r.put("nodes", rows);
      r.put("per_trainer", slopes(rows));
      r.put("catalogue", catalogueCheck(families, withoutHelp));
      return r;
    }

    /** One N: a fresh agent-node and env-node, every series present, then the scrapes. */
    private List<Map<String, Object>> sizesAt(
        int n, Map<String, Map<String, String>> families, Map<String, TreeSet<String>> withoutHelp)
        throws Exception {
      String run = "metricsbench-" + n;
      String envName = "mbenv" + n;
      List<String> agentCmd = java(flags.string("agent-opts"));
      agentCmd.addAll(
          List.of(
              "agent-node",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "0",
              "--run-id",
              run,
              "--min-replay-size",
              "4",
              "--learner-batch-size",
              "4"));
      NodeChild agent = child(agentCmd, "[agent " + n + "] ");
      NodeChild env = null;
      try {
        Matcher address = agent.await(CLUSTER_ADDRESS, startup());
        String seed = address.group(1) + ":" + address.group(2);
        String agentHttp = agent.await(HTTP_ADDRESS, startup()).group(1);
        List<String> envCmd = java(flags.string("env-opts"));
        envCmd.addAll(
            List.of(
                "env-node",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--http-port",
                "0",
                "--seed-node",
                seed,
                "--name",
                envName,
                "--run-id",
                run,
                "--trainers",
                Integer.toString(n),
                "--model",
                flags.string("model"),
                "--episode-steps",
                flags.string("episode-steps"),
                "--decision-interval",
                flags.string("decision-interval"),
                "--train-samples",
                "2048",
                "--validation-samples",
                "200",
                "--test-samples",
                "500",
                "--out",
                work.resolve("env-" + n).toString()));
        env = child(envCmd, "[env " + n + "] ");
        String envHttp = env.await(HTTP_ADDRESS, startup()).group(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ids.add(envName + "-" + i);
        }
        int layers = awaitAllSeries(n, ids, agent, env, agentHttp, envHttp);
        line(
            String.format(
                Locale.ROOT,
                "N = %d: every series present (%d layers per trainer); %d scrapes per node",
                n,
                layers,
                flags.integer("scrapes", 1)));
        // one untimed GET each: the first scrape pays for class loading and JIT
        PrometheusText.scrape(agentHttp);
        PrometheusText.scrape(envHttp);
        List<PrometheusText> agentScrapes = new ArrayList<>();
        List<PrometheusText> envScrapes = new ArrayList<>();
        List<Double> agentMs = new ArrayList<>();
        List<Double> envMs = new ArrayList<>();
        for (int i = 0; i < flags.integer("scrapes", 1); i++) {
          timedScrape(agentHttp, agentScrapes, agentMs);
          timedScrape(envHttp, envScrapes, envMs);
        }
        Map<String, Object> a = sizes("agent", n, layers, agentScrapes, agentMs);
        Map<String, Object> e = sizes("env", n, layers, envScrapes, envMs);
        for (var entry : Map.of("agent", agentScrapes, "env", envScrapes).entrySet()) {
          PrometheusText last = entry.getValue().get(entry.getValue().size() - 1);
          families.computeIfAbsent(entry.getKey(), k -> new TreeMap<>()).putAll(last.families());
          withoutHelp
              .computeIfAbsent(entry.getKey(), k -> new TreeSet<>())
              .addAll(last.familiesWithoutHelp());
        }
        line(summaryLine(a));
        line(summaryLine(e));
        return List.of(a, e);
      } finally {
        // the env-node first, so that it leaves the cluster while its agent is still there
        if (env != null) {
          env.stop(CHILD_STOP);
        }
        agent.stop(CHILD_STOP);
        line("N = " + n + ": nodes stopped");
      }
    }

    /**
     * Polls both nodes' /metrics until the run's series all exist; returns the layers per trainer.
     */
    private int awaitAllSeries(
        int n, List<String> ids, NodeChild agent, NodeChild env, String agentHttp, String envHttp)
        throws Exception {
      Duration timeout = Duration.ofSeconds(flags.integer("ready-timeout", 1));
      long start = System.nanoTime();
      long deadline = start + timeout.toNanos();
      long nextLine = start + WAIT_LINE_EVERY.toNanos();
      while (true) {
        PrometheusText am = PrometheusText.scrape(agentHttp);
        PrometheusText em = PrometheusText.scrape(envHttp);
        int explorers = (int) am.sum(EXPLORERS);
        int withLayers = 0;
        int withEpisode = 0;
        int withLag = 0;
        int layers = -1;
        boolean sameLayers = true;
        for (String id : ids) {
          String exact = id + "\"";
          int l = em.count(LAYER_DENSITY, exact);
          if (l > 0) {
            withLayers++;
            if (layers < 0) {
              layers = l;
            } else if (l != layers) {
              sameLayers = false;
            }
          }
          if (em.sum(EPISODES, exact, COMPLETED) >= 1) {
            withEpisode++;
          }
          if (am.count(POLICY_LAG, exact) > 0) {
            withLag++;
          }
        }
        if (explorers == n && withLayers == n && sameLayers && withEpisode == n && withLag == n) {
          return layers;
        }
        long now = System.nanoTime();
        String state =
            String.format(
                Locale.ROOT,
                "N = %d: %d/%d explorers, %d/%d trainers with layer densities, %d/%d with a"
                    + " completed episode, %d/%d explorers with a policy-lag series",
                n,
                explorers,
                n,
                withLayers,
                n,
                withEpisode,
                n,
                withLag,
                n);
        if (now > deadline) {
          throw new IllegalStateException(
              "not every series within "
                  + timeout
                  + " ("
                  + state
                  + ")\nagent:\n"
                  + agent.tail()
                  + "\nenv:\n"
                  + env.tail());
        }
        if (now >= nextLine) {
          line("waiting: " + state);
          nextLine = now + WAIT_LINE_EVERY.toNanos();
        }
        if (!agent.isAlive()) {
          agent.expectAliveFor(Duration.ZERO);
        }
        env.expectAliveFor(POLL);
      }
    }

    private static void timedScrape(String http, List<PrometheusText> into, List<Double> ms)
        throws IOException, InterruptedException {
      long t0 = System.nanoTime();
      PrometheusText p = PrometheusText.scrape(http);
      ms.add((System.nanoTime() - t0) / NANOS_PER_MS);
      into.add(p);
    }

    /** The figures of one node at one N, medians over its scrapes. */
    private static Map<String, Object> sizes(
        String node, int n, int layers, List<PrometheusText> scrapes, List<Double> ms) {
      List<Double> bytes = new ArrayList<>();
      List<Double> series = new ArrayList<>();
      List<Double> jitsparse = new ArrayList<>();
      List<Double> perTrainerLabelled = new ArrayList<>();
      for (PrometheusText p : scrapes) {
        List<String> samples = p.samples();
        bytes.add((double) p.bytes());
        series.add((double) samples.size());
        jitsparse.add((double) samples.stream().filter(s -> s.startsWith(JITSPARSE)).count());
        perTrainerLabelled.add(
            (double) samples.stream().filter(s -> s.contains(TRAINER_LABEL)).count());
      }
      PrometheusText last = scrapes.get(scrapes.size() - 1);
      Map<String, Integer> byName = new TreeMap<>();
      for (String s : last.samples()) {
        byName.merge(PrometheusText.metricName(s), 1, Integer::sum);
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("node", node);
      r.put("trainers", n);
      r.put("layers_per_trainer", layers);
      r.put("bytes", Stats.median(bytes));
      r.put("bytes_min", bytes.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
      r.put("bytes_max", bytes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
      r.put("series", Stats.median(series));
      r.put(
          "series_min", series.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
      r.put(
          "series_max", series.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
      r.put("jitsparse_series", Stats.median(jitsparse));
      r.put("trainer_labelled_series", Stats.median(perTrainerLabelled));
      r.put("families", last.families().size());
      r.put("scrapes", scrapes.size());
      r.put("scrape_ms_median", Stats.round(Stats.median(ms), MS_DIGITS));
      r.put(
          "scrape_ms_max",
          Stats.round(ms.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), 3));
      r.put("scrape_ms", ms.stream().map(v -> Stats.round(v, MS_DIGITS)).toList());
      r.put("series_by_metric", byName);
      return r;
    }

    private static String summaryLine(Map<String, Object> r) {
      return String.format(
          Locale.ROOT,
          "N = %s %s: %.0f bytes, %.0f series (%.0f jitsparse_*, %.0f labelled trainer), %s ms"
              + " per GET (median)",
          r.get("trainers"),
          r.get("node"),
          (Double) r.get("bytes"),
          (Double) r.get("series"),
          (Double) r.get("jitsparse_series"),
          (Double) r.get("trainer_labelled_series"),
          r.get("scrape_ms_median"));
    }

    /**
     * Per node, the growth per trainer between the smallest and the largest N (bytes, series,
     * jitsparse series, series labelled trainer), and what is left at zero trainers.
     */
    private Map<String, Object> slopes(List<Map<String, Object>> rows) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String node : List.of("agent", "env")) {
        List<Map<String, Object>> mine =
            rows.stream().filter(r -> node.equals(r.get("node"))).toList();
        if (mine.size() < 2) {
          continue;
        }
        Map<String, Object> lo = mine.get(0);
        Map<String, Object> hi = mine.get(mine.size() - 1);
        int nLo = (Integer) lo.get("trainers");
        int nHi = (Integer) hi.get("trainers");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("between", List.of(nLo, nHi));
        for (String key :
            List.of("bytes", "series", "jitsparse_series", "trainer_labelled_series")) {
          double a = (Double) lo.get(key);
          double b = (Double) hi.get(key);
          double slope = (b - a) / (nHi - nLo);
          s.put(key + "_per_trainer", Stats.round(slope, 2));
          s.put(key + "_fixed", Stats.round(a - slope * nLo, 1));
        }
        // which metrics grow with the trainers, and by how many series each
        @SuppressWarnings("unchecked")
        Map<String, Integer> loBy = (Map<String, Integer>) lo.get("series_by_metric");
        @SuppressWarnings("unchecked")
        Map<String, Integer> hiBy = (Map<String, Integer>) hi.get("series_by_metric");
        Map<String, Double> growing = new TreeMap<>();
        TreeSet<String> names = new TreeSet<>(loBy.keySet());
        names.addAll(hiBy.keySet());
        for (String name : names) {
          int d = hiBy.getOrDefault(name, 0) - loBy.getOrDefault(name, 0);
          if (d != 0) {
            growing.put(name, Stats.round((double) d / (nHi - nLo), 2));
          }
        }
        s.put("series_per_trainer_by_metric", growing);
        out.put(node, s);
      }
      return out;
    }

    /**
     * The exposed {@code jitsparse_*} families against the catalogue: families the catalogue does
     * not name ({@code _max} gauges beside a documented histogram or timer are documented once for
     * all), catalogue names no node exposed (the load generator's excluded: it is not a node), and
     * families exposed with an empty HELP text.
     */
    private Map<String, Object> catalogueCheck(
        Map<String, Map<String, String>> families, Map<String, TreeSet<String>> withoutHelp) {
      Map<String, Object> r = new LinkedHashMap<>();
      Path file = Path.of(flags.string("catalogue"));
      r.put("file", file.toString());
      TreeSet<String> documented = new TreeSet<>();
      try {
        Matcher m = Pattern.compile("`(jitsparse_[a-z0-9_]+)`").matcher(Files.readString(file));
        while (m.find()) {
          documented.add(m.group(1));
        }
      } catch (IOException e) {
        r.put("error", "could not read " + file + ": " + e.getMessage());
        return r;
      }
      TreeSet<String> exposed = new TreeSet<>();
      families.values().forEach(f -> exposed.addAll(f.keySet()));
      exposed.removeIf(name -> !name.startsWith(JITSPARSE));
      List<String> undocumented = new ArrayList<>();
      for (String name : exposed) {
        boolean maxOfDocumented =
            name.endsWith(MAX_SUFFIX)
                && documented.contains(name.substring(0, name.length() - MAX_SUFFIX.length()));
        if (!documented.contains(name) && !maxOfDocumented) {
          undocumented.add(name);
        }
      }
      List<String> notExposed = new ArrayList<>();
      for (String name : documented) {
        if (!name.startsWith(LOADGEN) && !exposed.contains(name)) {
          notExposed.add(name);
        }
      }
      Map<String, List<String>> emptyHelp = new TreeMap<>();
      withoutHelp.forEach(
          (node, names) ->
              emptyHelp.put(node, names.stream().filter(x -> x.startsWith(JITSPARSE)).toList()));
      r.put("exposed_jitsparse_families", exposed.size());
      r.put("exposed_not_in_catalogue", undocumented);
      r.put("catalogue_not_exposed", notExposed);
      r.put("families_with_empty_help", emptyHelp);
      return r;
    }

    // ---------------------------------------------------------------- part 2: overhead

    private Map<String, Object> overhead() throws Exception {
      String model = flags.string("model");
      Path out = work.resolve("overhead");
      Files.createDirectories(out);
      Map<String, Object> paths = new LinkedHashMap<>();
      paths.put("jitsparse.env-node.trainers", 1);
      paths.put("jitsparse.env-node.model", model);
      paths.put("jitsparse.env-node.episodes", 0);
      paths.put("jitsparse.env-node.episode-steps", flags.integer("overhead-episode-steps", 1));
      paths.put(
          "jitsparse.env-node.decision-interval", flags.integer("overhead-decision-interval", 1));
      paths.put("jitsparse.env-node.run-id", NODE);
      paths.put("jitsparse.env-node.out", out.toString());
      paths.put("pekko.actor.provider", "local");
      paths.put("pekko.loglevel", "WARNING");
      paths.put("pekko.coordinated-shutdown.exit-jvm", "off");
      Config root = ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()).resolve();
      TrainerSettings s = TrainerSettings.create(root);
      int batch = s.engine(s.seed()).batchSize();
      var data =
          TrainerData.shared(
              Path.of(s.engine(s.seed()).dataHome()), s.testSamples(), msg -> line(msg));
      int rounds = flags.integer("rounds", 1);
      int steps = flags.integer("round-steps", 1);
      int warmup = flags.integer("warmup-steps", 0);
      int prime = flags.integer("prime-steps", 0);
      long intervalMs = flags.integer("scrape-interval-ms", 1);
      Duration roundTimeout = Duration.ofSeconds(flags.integer("ready-timeout", 1));
      line(WITHOUT_MEANS);

      ActorSystem<SpawnProtocol.Command> system =
          ActorSystem.create(SpawnProtocol.create(), "metricsbench", root);
      NodeMeters with = NodeMeters.create("env", NODE, NODE);
      MeterRegistry without = new CompositeMeterRegistry();
      List<Map<String, Object>> perRound = new ArrayList<>();
      try {
        StepClock[] current = new StepClock[1];
        ActorRef<Message> subscriber =
            spawn(
                system,
                Behaviors.receive(Message.class)
                    .onMessage(
                        StepStateBatch.class,
                        b -> {
                          StepClock c;
                          synchronized (current) {
                            c = current[0];
                          }
                          if (c != null) {
                            c.add(b.getStatesCount());
                          }
                          return Behaviors.same();
                        })
                    .onAnyMessage(m -> Behaviors.same())
                    .build(),
                "step-states",
                Props.empty());
        ActorRef<EpisodeJournal.Command> journal =
            spawn(
                system,
                EpisodeJournal.create(out),
                "episode-journal",
                DispatcherSelector.fromConfig(TrainerSettings.IO_DISPATCHER));
        String subscriberRef = ActorRefResolver.get(system).toSerializationFormat(subscriber);
        if (prime > 0) {
          line(
              String.format(
                  Locale.ROOT,
                  "priming: %d untimed steps of %s with metrics (data, ND4J and JIT warm-up)",
                  prime,
                  model));
          try (Scraper scraper = new Scraper(with, intervalMs)) {
            round(
                system,
                s,
                data,
                with.registry(),
                journal,
                subscriberRef,
                current,
                0,
                prime,
                roundTimeout,
                "prime");
          }
        }
        for (int r = 0; r < rounds; r++) {
          for (String arm : List.of(WITH, WITHOUT)) {
            boolean isWith = WITH.equals(arm);
            Scraper scraper = isWith ? new Scraper(with, intervalMs) : null;
            Map<String, Object> row;
            try {
              row =
                  round(
                      system,
                      s,
                      data,
                      isWith ? with.registry() : without,
                      journal,
                      subscriberRef,
                      current,
                      warmup,
                      steps,
                      roundTimeout,
                      arm + " " + (r + 1));
            } finally {
              if (scraper != null) {
                scraper.close();
              }
            }
            row.put("round", r + 1);
            row.put("arm", arm);
            double stepsPerS = (Double) row.get("steps_per_s");
            row.put("samples_per_s", Stats.round(stepsPerS * batch, 1));
            if (scraper != null) {
              row.put("scrapes", scraper.count());
              row.put("scrape_ms_median", Stats.round(scraper.medianMs(), MS_DIGITS));
              row.put("scrape_bytes", scraper.lastBytes());
              row.put(
                  "scraper_busy_share", Stats.round(scraper.medianMs() / intervalMs, RATIO_DIGITS));
            }
            perRound.add(row);
            line(
                String.format(
                    Locale.ROOT,
                    "round %d/%d %-7s: %.2f steps/s (%.0f samples/s) over %s steps%s",
                    r + 1,
                    rounds,
                    arm,
                    stepsPerS,
                    stepsPerS * batch,
                    row.get("steps"),
                    scraper == null
                        ? ""
                        : String.format(
                            Locale.ROOT,
                            "; %d scrapes, %.2f ms median, %d bytes",
                            scraper.count(),
                            scraper.medianMs(),
                            scraper.lastBytes())));
          }
        }
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        with.close();
      }
      return overheadResult(model, batch, intervalMs, rounds, steps, warmup, perRound);
    }

    private Map<String, Object> overheadResult(
        String model,
        int batch,
        long intervalMs,
        int rounds,
        int steps,
        int warmup,
        List<Map<String, Object>> perRound) {
      double[] withRates = rates(perRound, WITH);
      double[] withoutRates = rates(perRound, WITHOUT);
      double[] pairRatios = new double[Math.min(withRates.length, withoutRates.length)];
      for (int i = 0; i < pairRatios.length; i++) {
        pairRatios[i] = Stats.ratio(withRates[i], withoutRates[i]);
      }
      double medWith = Stats.median(withRates);
      double medWithout = Stats.median(withoutRates);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("without_means", WITHOUT_MEANS);
      r.put("model", model);
      r.put("batch", batch);
      r.put(
          "episode",
          flags.integer("overhead-episode-steps", 1)
              + " steps, a decision every "
              + flags.integer("overhead-decision-interval", 1)
              + " (validation and end-of-episode test included in the timed steps)");
      r.put("scrape_interval_ms", intervalMs);
      r.put("rounds_per_arm", rounds);
      r.put("steps_per_round", steps);
      r.put("warmup_steps_per_round", warmup);
      r.put("timed_by", "arrival of the trainer's StepStateBatch messages (SubscribeStepStates)");
      r.put("with_steps_per_s", Stats.round(medWith, RATE_DIGITS));
      r.put("without_steps_per_s", Stats.round(medWithout, RATE_DIGITS));
      r.put("with_samples_per_s", Stats.round(medWith * batch, 1));
      r.put("without_samples_per_s", Stats.round(medWithout * batch, 1));
      r.put("with_over_without", Stats.round(Stats.ratio(medWith, medWithout), RATIO_DIGITS));
      double cpuWith = Stats.median(values(perRound, WITH, "cpu_ms_per_step"));
      double cpuWithout = Stats.median(values(perRound, WITHOUT, "cpu_ms_per_step"));
      r.put("with_cpu_ms_per_step", Stats.round(cpuWith, 2));
      r.put("without_cpu_ms_per_step", Stats.round(cpuWithout, 2));
      r.put("cpu_per_step_with_over_without", Stats.round(Stats.ratio(cpuWith, cpuWithout), 4));
      r.put(
          "with_over_without_median_of_pairs", Stats.round(Stats.median(pairRatios), RATIO_DIGITS));
      r.put(
          "pair_ratios",
          java.util.Arrays.stream(pairRatios)
              .map(v -> Stats.round(v, RATIO_DIGITS))
              .boxed()
              .toList());
      r.put("rounds", perRound);
      return r;
    }

    private static double[] rates(List<Map<String, Object>> rows, String arm) {
      return values(rows, arm, "steps_per_s");
    }

    private static double[] values(List<Map<String, Object>> rows, String arm, String key) {
      return rows.stream()
          .filter(r -> arm.equals(r.get("arm")))
          .mapToDouble(r -> ((Number) r.get(key)).doubleValue())
          .toArray();
    }

    /**
     * One round: a fresh trainer (same id, same seeds, so every round does the same work) whose
     * meters go to {@code registry}; {@code warmup} untimed steps, then {@code steps} timed ones;
     * then the trainer is stopped and its episode journaled as aborted.
     */
    private Map<String, Object> round(
        ActorSystem<SpawnProtocol.Command> system,
        TrainerSettings s,
        java.util.function.Supplier<FashionMnist> data,
        MeterRegistry registry,
        ActorRef<EpisodeJournal.Command> journal,
        String subscriberRef,
        StepClock[] current,
        int warmup,
        int steps,
        Duration timeout,
        String what)
        throws Exception {
      StepClock clock = new StepClock();
      synchronized (current) {
        current[0] = clock;
      }
      String name = "trainer-" + what.replace(' ', '-');
      ActorRef<Trainer.Command> trainer =
          spawn(
              system,
              Trainer.create(s, 0, TRAINER_ID, journal, registry, NODE, data),
              name,
              DispatcherSelector.fromConfig(TrainerSettings.TRAINER_DISPATCHER));
      trainer.tell(
          new Trainer.Wire(
              SubscribeStepStates.newBuilder().setSubscriberRef(subscriberRef).build()));
      try {
        long[] start = clock.await(Math.max(1, warmup), timeout, what);
        long[] end = clock.await(start[0] + steps, timeout, what);
        double seconds = (end[1] - start[1]) / NANOS;
        long counted = end[0] - start[0];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("steps", counted);
        row.put("seconds", Stats.round(seconds, MS_DIGITS));
        row.put("steps_per_s", Stats.round(counted / seconds, 3));
        row.put(
            "cpu_ms_per_step",
            start[2] >= 0 && end[2] >= 0
                ? Stats.round((end[2] - start[2]) / NANOS_PER_MS / counted, 2)
                : Double.NaN);
        row.put("load_average", Machine.loadAverage());
        return row;
      } finally {
        CompletionStage<Done> done =
            AskPattern.ask(trainer, Trainer.Stop::new, TRAINER_STOP, system.scheduler());
        done.toCompletableFuture().get(TRAINER_STOP.toSeconds() + 5, TimeUnit.SECONDS);
        synchronized (current) {
          current[0] = null;
        }
      }
    }

    private static <T> ActorRef<T> spawn(
        ActorSystem<SpawnProtocol.Command> system, Behavior<T> behavior, String name, Props props)
        throws Exception {
      CompletionStage<ActorRef<T>> ref =
          AskPattern.ask(
              system,
              replyTo -> new SpawnProtocol.Spawn<>(behavior, name, props, replyTo),
              Duration.ofSeconds(10),
              system.scheduler());
      return ref.toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /** The "with" arm's scraper: {@code registry.scrape()} every interval on its own thread. */
    private static final class Scraper implements AutoCloseable {
      private final ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "metrics-scraper");
                t.setDaemon(true);
                return t;
              });
      private final List<Double> ms = new ArrayList<>();
      private volatile int lastBytes;

      Scraper(NodeMeters meters, long intervalMs) {
        executor.scheduleAtFixedRate(
            () -> {
              long t0 = System.nanoTime();
              String text = meters.scrape();
              double took = (System.nanoTime() - t0) / NANOS_PER_MS;
              lastBytes = text.length();
              synchronized (ms) {
                ms.add(took);
              }
            },
            intervalMs,
            intervalMs,
            TimeUnit.MILLISECONDS);
      }

      int count() {
        synchronized (ms) {
          return ms.size();
        }
      }

      double medianMs() {
        synchronized (ms) {
          return Stats.median(ms);
        }
      }

      int lastBytes() {
        return lastBytes;
      }

      @Override
      public void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
      }
    }

    // ---------------------------------------------------------------- output

    @SuppressWarnings("unchecked")
    private static void printSummary(Map<String, Object> result) {
      System.out.println();
      Map<String, Object> sizes = (Map<String, Object>) result.get("scrape_size");
      if (sizes != null) {
        System.out.printf(
            Locale.ROOT,
            "%-6s %4s %10s %8s %11s %10s %12s%n",
            "node",
            "N",
            "bytes",
            "series",
            "jitsparse_*",
            "trainer=",
            "ms per GET");
        for (Map<String, Object> r : (List<Map<String, Object>>) sizes.get("nodes")) {
          System.out.printf(
              Locale.ROOT,
              "%-6s %4s %10.0f %8.0f %11.0f %10.0f %12s%n",
              r.get("node"),
              r.get("trainers"),
              (Double) r.get("bytes"),
              (Double) r.get("series"),
              (Double) r.get("jitsparse_series"),
              (Double) r.get("trainer_labelled_series"),
              r.get("scrape_ms_median"));
        }
        Map<String, Object> per = (Map<String, Object>) sizes.get("per_trainer");
        per.forEach(
            (node, v) -> {
              Map<String, Object> m = (Map<String, Object>) v;
              System.out.printf(
                  Locale.ROOT,
                  "%-6s per trainer: %s series (%s jitsparse_*), %s bytes; fixed: %s series, %s"
                      + " bytes%n",
                  node,
                  m.get("series_per_trainer"),
                  m.get("jitsparse_series_per_trainer"),
                  m.get("bytes_per_trainer"),
                  m.get("series_fixed"),
                  m.get("bytes_fixed"));
            });
        Map<String, Object> cat = (Map<String, Object>) sizes.get("catalogue");
        System.out.println("catalogue check: " + cat);
        System.out.println();
      }
      Map<String, Object> o = (Map<String, Object>) result.get("overhead");
      if (o != null) {
        System.out.println(o.get("without_means"));
        System.out.printf(
            Locale.ROOT,
            "%-8s %6s %10s %12s %14s %16s%n",
            "arm",
            "round",
            "steps/s",
            "samples/s",
            "CPU ms/step",
            "load average");
        for (Map<String, Object> r : (List<Map<String, Object>>) o.get("rounds")) {
          System.out.printf(
              Locale.ROOT,
              "%-8s %6s %10s %12s %14s %16s%n",
              r.get("arm"),
              r.get("round"),
              r.get("steps_per_s"),
              r.get("samples_per_s"),
              r.get("cpu_ms_per_step"),
              r.get("load_average"));
        }
        System.out.printf(
            Locale.ROOT,
            "median %s: with %s steps/s (%s samples/s), without %s steps/s (%s samples/s);"
                + " with/without %s (median of pairs %s); CPU ms per step with/without %s;"
                + " scrape every %s ms%n",
            o.get("model"),
            o.get("with_steps_per_s"),
            o.get("with_samples_per_s"),
            o.get("without_steps_per_s"),
            o.get("without_samples_per_s"),
            o.get("with_over_without"),
            o.get("with_over_without_median_of_pairs"),
            o.get("cpu_per_step_with_over_without"),
            o.get("scrape_interval_ms"));
      }
      System.out.println("wall time " + result.get("wall_s") + " s");
      System.out.println();
    }

    private Map<String, Object> settings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("trainers", trainers());
      s.put("model", flags.string("model"));
      s.put("episode_steps", flags.integer("episode-steps", 1));
      s.put("decision_interval", flags.integer("decision-interval", 1));
      s.put("scrapes", flags.integer("scrapes", 1));
      s.put("rounds", flags.integer("rounds", 1));
      s.put("round_steps", flags.integer("round-steps", 1));
      s.put("warmup_steps", flags.integer("warmup-steps", 0));
      s.put("prime_steps", flags.integer("prime-steps", 0));
      s.put("overhead_episode_steps", flags.integer("overhead-episode-steps", 1));
      s.put("overhead_decision_interval", flags.integer("overhead-decision-interval", 1));
      s.put("scrape_interval_ms", flags.integer("scrape-interval-ms", 1));
      s.put("agent_opts", flags.string("agent-opts"));
      s.put("env_opts", flags.string("env-opts"));
      s.put("jar", flags.string("jar"));
      return s;
    }

    // ---------------------------------------------------------------- children

    private List<String> java(String opts) {
      return NodeChild.jarCommand(flags.string("java"), opts, flags.string("jar"));
    }

    private NodeChild child(List<String> cmd, String prefix) throws IOException {
      line("starting " + String.join(" ", cmd));
      NodeChild c = NodeChild.start(cmd, prefix, NodeChild.NODE_LINES);
      children.add(c);
      return c;
    }

    private Duration startup() {
      return Duration.ofSeconds(flags.integer("startup-timeout", 1));
    }

    private void stopChildren() {
      for (NodeChild c : children) {
        c.stop(CHILD_STOP);
      }
    }
  }
}
