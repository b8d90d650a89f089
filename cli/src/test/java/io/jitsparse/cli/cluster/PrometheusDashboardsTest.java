package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.monitoring.DashboardQueries;
import io.jitsparse.monitoring.DashboardQueries.Dashboard;
import io.jitsparse.monitoring.DashboardQueries.Query;
import io.jitsparse.monitoring.DashboardQueries.Variable;
import io.jitsparse.monitoring.ExternalTools;
import io.jitsparse.monitoring.MonitoringFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped dashboards against a real run: one agent-node and one env-node with two trainers
 * (separate JVMs on loopback) are scraped every second by a real Prometheus that also loads the
 * shipped alert rules. Once both targets are up and the run has finished episodes and made learner
 * updates, every panel expression of every dashboard, with the template variables set to the run's
 * own values, must return at least one series, every variable query must list the run's value, and
 * every alert rule must evaluate healthily, and the Kubernetes autoscaler's query ({@code
 * k8s/base/autoscaler.yaml}, the env-nodes the learner needs) must return a value. Every process
 * the test starts is stopped by it.
 */
class PrometheusDashboardsTest {

  private static final String RUN = "dash-test";

  /** The namespace of k8s/base, which the autoscaler's query selects. */
  private static final String K8S_NAMESPACE = "jitsparse";

  private static final String MODEL = "lenet-300-100";
  private static final int TRAINERS = 2;

  // A fast run: short episodes of a small model on little data; the learner starts at once.
  private static final String AGENT_HEAP = "768m";
  private static final String ENV_HEAP = "1g";
  private static final int EPISODE_STEPS = 60;
  private static final int DECISION_INTERVAL = 10;
  private static final int TRAIN_SAMPLES = 2000;
  private static final int VALIDATION_SAMPLES = 200;
  private static final int TEST_SAMPLES = 500;
  private static final int MIN_REPLAY_SIZE = 4;
  private static final int LEARNER_BATCH_SIZE = 4;

  /** Scrape and rule evaluation interval of the test's Prometheus. */
  private static final String SCRAPE_INTERVAL = "1s";

  /** Values of Grafana's range variables: windows that hold many 1 s scrapes. */
  private static final String RATE_INTERVAL = "15s";

  private static final String INTERVAL = "5s";
  private static final String RANGE = "5m";

  private static final Duration NODE_START = Duration.ofSeconds(120);
  private static final Duration PROMETHEUS_START = Duration.ofSeconds(60);
  private static final Duration RUN_PROGRESS = Duration.ofSeconds(240);
  private static final Duration EMPTY_GRACE = Duration.ofSeconds(20);

  /** Episodes the learner must have received, per trainer, before the queries run. */
  private static final int EPISODES_PER_TRAINER = 2;

  private static final Duration STOP = Duration.ofSeconds(30);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(500);

  /** Lines of each log shown when a wait fails. */
  private static final int TAIL = 30;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void everyDashboardQueryReturnsSeriesFromARealRun() throws Exception {
    Path prometheusBinary = ExternalTools.require("prometheus");
    MonitoringFiles files = MonitoringFiles.locate();
    List<NodeProcess> nodes = new ArrayList<>();
    Process prometheus = null;
    try {
      NodeProcess agent = agent();
      nodes.add(agent);
      String seed = agent.clusterHostPort(NODE_START);
      String agentHttp = agent.httpBase(NODE_START);
      NodeProcess env = env(seed);
      nodes.add(env);
      String envHttp = env.httpBase(NODE_START);

      int port = freePort();
      String api = "http://127.0.0.1:" + port;
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, prometheusConfig(files.alertRules(), agentHttp, envHttp));
      Path promLog = dir.resolve("prometheus.log");
      prometheus =
          new ProcessBuilder(
                  prometheusBinary.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(promLog.toFile())
              .start();
      Supplier<String> diagnostics = () -> diagnostics(promLog, nodes);

      await(
          "Prometheus ready", () -> status(api + "/-/ready") == 200, PROMETHEUS_START, diagnostics);
      await("both targets up", () -> targetsUp(api) == nodes.size(), NODE_START, diagnostics);
      await(
          "the learner received " + EPISODES_PER_TRAINER + " episodes per trainer and made updates",
          () ->
              value(api, "sum(jitsparse_agent_learner_episodes_total{run=\"" + RUN + "\"})")
                      >= EPISODES_PER_TRAINER * TRAINERS
                  && value(api, "sum(jitsparse_agent_learner_updates_total{run=\"" + RUN + "\"})")
                      > 0,
          RUN_PROGRESS,
          diagnostics);

      await(
          "every alert rule evaluated",
          () -> unhealthyRules(api).isEmpty(),
          PROMETHEUS_START,
          () -> unhealthyRules(api) + "\n" + diagnostics.get());
      long shipped =
          Files.readAllLines(files.alertRules()).stream()
              .filter(l -> l.trim().startsWith("- alert:"))
              .count();
      int loaded = 0;
      for (JsonNode g : get(api + "/api/v1/rules").path("data").path("groups")) {
        for (JsonNode r : g.path("rules")) {
          loaded += "alerting".equals(r.path("type").asText()) ? 1 : 0;
        }
      }
      assertEquals(shipped, loaded, "alert rules of " + files.alertRules() + " loaded");

      TreeSet<String> trainers =
          labelValues(api, "trainer", "jitsparse_trainer_steps_total{run=\"" + RUN + "\"}");
      assertEquals(TRAINERS, trainers.size(), "trainers: " + trainers);
      Map<String, String> values = new HashMap<>();
      values.put("run", RUN);
      values.put("model", MODEL);
      values.put("trainer", trainers.first());
      values.put(DashboardQueries.RATE_INTERVAL, RATE_INTERVAL);
      values.put(DashboardQueries.INTERVAL, INTERVAL);
      values.put(DashboardQueries.RANGE, RANGE);

      // Series of rare events appear at their owner's start, rates after two scrapes: a query
      // that is empty at first gets a short grace period before it counts as empty.
      Checked outcome;
      long deadline = System.nanoTime() + EMPTY_GRACE.toNanos();
      do {
        outcome = runQueries(api, files, values);
      } while (!outcome.empty().isEmpty() && System.nanoTime() < deadline && pause());
      List<String> empty = outcome.empty();
      assertTrue(outcome.queries() > 0, "no dashboard queries");
      assertTrue(
          empty.isEmpty(),
          empty.size()
              + " of "
              + outcome.queries()
              + " dashboard queries returned no series (trainer "
              + trainers.first()
              + "):\n"
              + String.join("\n", empty));

      // one env-node up, the learner busy b: N * 0.9 / max(b, 0.05) lies in [0.9, 18]
      String scaling = autoscalerQuery();
      double needed = value(api, scaling);
      assertTrue(needed >= 0.9 && needed <= 18, "autoscaler query " + scaling + " = " + needed);

      assertTrue(agent.isAlive() && env.isAlive(), "nodes still running");
      System.out.println(
          "PrometheusDashboardsTest: "
              + outcome.queries()
              + " queries returned series; the autoscaler's query: "
              + needed
              + " env-nodes");
    } finally {
      if (prometheus != null) {
        stop(prometheus);
      }
      for (NodeProcess n : nodes) {
        n.close();
      }
    }
  }

  private NodeProcess agent() throws IOException {
    return NodeProcess.start(
        "agent",
        AGENT_HEAP,
        dir.resolve("agent.log"),
        List.of(),
        "agent-node",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--http-port",
        "0",
        "--run-id",
        RUN,
        "--min-replay-size",
        Integer.toString(MIN_REPLAY_SIZE),
        "--learner-batch-size",
        Integer.toString(LEARNER_BATCH_SIZE),
        "--out",
        dir.resolve("agent").toString());
  }

  private NodeProcess env(String seed) throws IOException {
    return NodeProcess.start(
        "env",
        ENV_HEAP,
        dir.resolve("env.log"),
        List.of(),
        "env-node",
        "--seed-node",
        seed,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--http-port",
        "0",
        "--name",
        "env-a",
        "--run-id",
        RUN,
        "--trainers",
        Integer.toString(TRAINERS),
        "--model",
        MODEL,
        "--episode-steps",
        Integer.toString(EPISODE_STEPS),
        "--decision-interval",
        Integer.toString(DECISION_INTERVAL),
        "--train-samples",
        Integer.toString(TRAIN_SAMPLES),
        "--validation-samples",
        Integer.toString(VALIDATION_SAMPLES),
        "--test-samples",
        Integer.toString(TEST_SAMPLES),
        "--out",
        dir.resolve("env").toString());
  }

  /** How many queries ran, and the ones that found nothing. */
  private record Checked(int queries, List<String> empty) {}

  /** Runs every panel query and variable query of every dashboard with {@code values}. */
  private static Checked runQueries(String api, MonitoringFiles files, Map<String, String> values)
      throws IOException {
    List<String> empty = new ArrayList<>();
    int queries = 0;
    for (Path p : files.dashboards()) {
      Dashboard d = DashboardQueries.read(p);
      for (Query q : d.queries()) {
        queries++;
        String expr = DashboardQueries.substitute(q.expr(), values);
        if (query(api, expr).path("result").isEmpty()) {
          empty.add(q.where() + ": " + expr);
        }
      }
      for (Variable v : d.variables()) {
        queries++;
        String selector = DashboardQueries.substitute(v.selector().orElseThrow(), values);
        Set<String> listed = labelValues(api, v.label(), selector);
        if (!listed.contains(values.get(v.name()))) {
          empty.add(
              d.title()
                  + " / $"
                  + v.name()
                  + ": label_values("
                  + selector
                  + ", "
                  + v.label()
                  + ") lists "
                  + listed
                  + ", not "
                  + values.get(v.name()));
        }
      }
    }
    return new Checked(queries, empty);
  }

  /** Waits one {@link #POLL}; always true (a loop condition). */
  private static boolean pause() throws Exception {
    CompletableFuture.runAsync(
            () -> {}, CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS))
        .get();
    return true;
  }

  /** Scrapes both nodes every second and loads the shipped alert rules. */
  private static String prometheusConfig(Path alerts, String... httpBases) {
    StringBuilder targets = new StringBuilder();
    for (String base : httpBases) {
      targets.append(targets.length() == 0 ? "" : ", ");
      targets.append('"').append(URI.create(base).getAuthority()).append('"');
    }
    return String.join(
        "\n",
        "global:",
        "  scrape_interval: " + SCRAPE_INTERVAL,
        "  scrape_timeout: " + SCRAPE_INTERVAL,
        "  evaluation_interval: " + SCRAPE_INTERVAL,
        "rule_files:",
        "  - \"" + alerts.toAbsolutePath() + "\"",
        "scrape_configs:",
        "  - job_name: jitsparse-test",
        "    metrics_path: /metrics",
        "    static_configs:",
        "      - targets: [" + targets + "]",
        // as the scrape of a pod on Kubernetes adds its namespace (the autoscaler's query selects
        // it)
        "        labels: {namespace: \"" + K8S_NAMESPACE + "\"}",
        "");
  }

  /** The Prometheus query of the KEDA ScaledObject in {@code k8s/base} (a folded YAML scalar). */
  private static String autoscalerQuery() throws IOException {
    Path file =
        Path.of(System.getProperty("user.dir"))
            .resolveSibling("k8s")
            .resolve("base/autoscaler.yaml");
    List<String> lines = Files.readAllLines(file);
    StringBuilder query = new StringBuilder();
    int i = 0;
    while (!lines.get(i).trim().equals("query: >-")) {
      i++;
    }
    for (i++; !lines.get(i).trim().startsWith("threshold:"); i++) {
      query.append(query.length() == 0 ? "" : " ").append(lines.get(i).trim());
    }
    assertTrue(query.toString().contains("namespace=\"" + K8S_NAMESPACE + "\""), query.toString());
    return query.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void stop(Process p) throws InterruptedException {
    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
    if (!p.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static int targetsUp(String api) {
    int up = 0;
    for (JsonNode t : get(api + "/api/v1/targets").path("data").path("activeTargets")) {
      if ("up".equals(t.path("health").asText())) {
        up++;
      }
    }
    return up;
  }

  private static List<String> unhealthyRules(String api) {
    List<String> bad = new ArrayList<>();
    JsonNode groups = get(api + "/api/v1/rules").path("data").path("groups");
    if (groups.isEmpty()) {
      bad.add("no rule groups");
    }
    for (JsonNode g : groups) {
      for (JsonNode r : g.path("rules")) {
        if (!"ok".equals(r.path("health").asText())) {
          bad.add(
              r.path("name").asText()
                  + ": "
                  + r.path("health").asText()
                  + " "
                  + r.path("lastError").asText());
        }
      }
    }
    return bad;
  }

  /** The instant query's {@code data} ({@code resultType}, {@code result}); fails on an error. */
  private static JsonNode query(String api, String expr) {
    JsonNode r =
        get(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    assertEquals("success", r.path("status").asText(), expr + ": " + r);
    return r.path("data");
  }

  /** The single value of an instant query; NaN when it returns nothing. */
  private static double value(String api, String expr) {
    JsonNode result = query(api, expr).path("result");
    return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
  }

  /** Values of {@code label} over the series {@code selector} matches (Grafana's label_values). */
  private static TreeSet<String> labelValues(String api, String label, String selector) {
    JsonNode r =
        get(
            api
                + "/api/v1/label/"
                + label
                + "/values?match[]="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    TreeSet<String> out = new TreeSet<>();
    r.path("data").forEach(v -> out.add(v.asText()));
    return out;
  }

  private static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static JsonNode get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return JSON.createObjectNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JSON.createObjectNode();
    }
  }

  /**
   * Polls {@code condition} every {@link #POLL} until it holds; fails after {@code timeout} with
   * {@code diagnostics}.
   */
  private static void await(
      String what, BooleanSupplier condition, Duration timeout, Supplier<String> diagnostics)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout + "\n" + diagnostics.get());
      }
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS))
          .get();
    }
  }

  /** The end of Prometheus's log and of every node's output. */
  private static String diagnostics(Path promLog, List<NodeProcess> nodes) {
    StringBuilder b = new StringBuilder("prometheus log (end):\n");
    try {
      List<String> lines = Files.readAllLines(promLog);
      b.append(String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL), lines.size())));
    } catch (IOException e) {
      b.append(e);
    }
    for (NodeProcess n : nodes) {
      b.append("\n\nnode (alive=").append(n.isAlive()).append("):\n").append(n.tail(TAIL));
    }
    return b.toString();
  }
}
