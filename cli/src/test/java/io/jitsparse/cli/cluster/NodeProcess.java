package io.jitsparse.cli.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jitsparse} node in its own JVM (same classpath as the test), with explicit heap and ND4J
 * off-heap limits. Its output is kept (and copied to a log file) so tests can wait for lines.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Pattern CLUSTER =
      Pattern.compile("cluster address pekko://jitsparse@([^\\s]+)");
  private static final Pattern HTTP = Pattern.compile("jitsparse: http (http://[^\\s/]+)/");
  private static final long POLL_MILLIS = 250;
  private static final String MEMBERS = "jitsparse_cluster_members";
  private static final Duration LONGER_THAN_ANY_TEST = Duration.ofSeconds(600);

  /** JVM options for split-brain resolver decisions within seconds, so tests wait little. */
  static final List<String> FAST_DOWNING =
      List.of("-Dpekko.cluster.split-brain-resolver.stable-after=3s");

  private static final HttpClient HTTP_CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** agent-node flags of a learner that starts on a few transitions and needs little memory. */
  static final List<String> SMALL_LEARNER =
      List.of("--replay-memory", "32MiB", "--min-replay-size", "16", "--learner-batch-size", "8");

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  /** The output reached its end: every line the process wrote is in {@link #lines}. */
  private boolean outputEnded;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter w = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = r.readLine()) != null) {
                  w.println(line);
                  w.flush();
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                // the process ended
              } finally {
                synchronized (lines) {
                  outputEnded = true;
                  lines.notifyAll();
                }
              }
            },
            "out-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code jitsparse <args>} with the given heap; output also goes to {@code log}. */
  public static NodeProcess start(
      String name, String heap, Path log, List<String> jvmProps, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+UseParallelGC");
    cmd.add("-Dorg.bytedeco.javacpp.maxbytes=1g");
    cmd.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=3g");
    cmd.addAll(jvmProps);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.jitsparse.cli.JitsparseCommand");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return new NodeProcess(name, pb.start(), log);
  }

  /**
   * loadgen flags of {@code trainers} simulated trainers named {@code <name>-sim-<i>}, an
   * observation every 500 ms each from the start, for longer than any test (the test ends them).
   */
  static List<String> simulatedTrainers(String name, int trainers) {
    return simulatedTrainers(name, trainers, LONGER_THAN_ANY_TEST);
  }

  /** {@link #simulatedTrainers(String, int)} that measure for {@code duration}, then end. */
  static List<String> simulatedTrainers(String name, int trainers, Duration duration) {
    return List.of(
        "--trainers",
        Integer.toString(trainers),
        "--interval",
        "500ms",
        "--warmup",
        "0s",
        "--duration",
        duration.toSeconds() + "s",
        "--node-name",
        name);
  }

  /** The first match of {@code pattern} in the output, waiting up to {@code timeout}. */
  public Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = pattern.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        // a process that has exited may still have lines in the pipe: wait for the reader's end
        if (left <= 0 || outputEnded && seen == lines.size()) {
          throw new AssertionError(
              name
                  + ": no line matching "
                  + pattern
                  + " within "
                  + timeout
                  + "; alive="
                  + process.isAlive()
                  + "; last lines:\n"
                  + tail(40));
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 500_000_000L))));
      }
    }
  }

  /** host:port of the node's remoting, from its startup line. */
  String clusterHostPort(Duration timeout) throws InterruptedException {
    return await(CLUSTER, timeout).group(1);
  }

  /** http://host:port of the node's HTTP server, from its startup line. */
  String httpBase(Duration timeout) throws InterruptedException {
    return await(HTTP, timeout).group(1);
  }

  /** Sum of every series of a Prometheus metric on the node's /metrics; NaN when absent. */
  static double metric(String httpBase, String name) throws IOException, InterruptedException {
    return sum(scrape(httpBase), name);
  }

  /** {@link #metric}, NaN also when the node does not answer (yet, or any more). */
  static double metricOrNaN(String httpBase, String name) {
    try {
      return metric(httpBase, name);
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /**
   * Members up with role {@code role} in the view of the node at {@code httpBase} (metric {@value
   * #MEMBERS}); -1 when the node does not answer.
   */
  static double membersUp(String httpBase, String role) {
    try {
      String scrape = scrape(httpBase);
      double sum = 0;
      for (String line : scrape.split("\n")) {
        if (line.startsWith(MEMBERS + "{")
            && line.contains("member_role=\"" + role + "\"")
            && line.contains("status=\"up\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Sum of every series of metric {@code name} in a scrape's text; NaN when it has none. */
  static double sum(String scrape, String name) {
    double sum = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /** The node's {@code /metrics} text. */
  static String scrape(String httpBase) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP_CLIENT.send(
            HttpRequest.newBuilder(URI.create(httpBase + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + httpBase + "/metrics: " + r.statusCode());
    }
    return r.body();
  }

  /** HTTP status of GET {@code path} on the node. */
  static int status(String httpBase, String path) throws IOException, InterruptedException {
    return HTTP_CLIENT
        .send(
            HttpRequest.newBuilder(URI.create(httpBase + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /**
   * Polls {@code condition} every 250 ms until it holds; fails after {@code timeout} with the last
   * lines of {@code context}'s output.
   */
  static void awaitTrue(BooleanSupplier condition, Duration timeout, NodeProcess context)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "condition not met within " + timeout + "\n" + context.name + ":\n" + context.tail(40));
      }
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS))
          .get();
    }
  }

  public String tail(int n) {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The process itself (exit code, waiting for its end). */
  public Process process() {
    return process;
  }

  /**
   * SIGTERM, keeping the output readable: {@link Process#destroy()} sends it too, but closes this
   * side's pipes, so whatever the process says while it stops would be lost.
   */
  void sigterm() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -TERM " + process.pid() + " failed");
    }
  }

  /** SIGKILL, as a crashed machine would. */
  void killHard() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(30, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
