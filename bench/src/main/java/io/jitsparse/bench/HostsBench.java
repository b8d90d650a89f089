package io.jitsparse.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code bench/run hosts}: the multi-host run of {@link HostScenario} with real trainers, its
 * figures in {@code bench/results/hosts.json}, the metrics timeline as CSV and as a PNG
 * (transitions received and policy version against time, with the phase boundaries).
 */
public final class HostsBench {

  private static final String NAME = "hosts";
  private static final String DEFAULT_JAR = "cli/target/jitsparse.jar";
  private static final String NODE_OPTS =
      "-Xmx1g -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxbytes=2g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=4g"
          + " -Dorg.eclipse.deeplearning4j.helpers.disable=false";
  private static final int PLOT_WIDTH = 1000;
  private static final int PLOT_HEIGHT = 420;
  private static final int MARGIN = 50;

  /** Where the image's nodes see their data volume (the image's working directory). */
  private static final String IMAGE_DATA = "/var/lib/jitsparse";

  private static final double TICK_SECONDS = 60;
  private static final int TICK_LENGTH = 5;

  private HostsBench() {}

  /** Entry point: {@code bench/run hosts [flags]}. */
  public static void main(String[] args) throws Exception {
    Flags flags =
        new Flags(NAME)
            .declare("hosts", HostScenario.MAX_ENV_HOSTS, "env-node hosts, added one by one")
            .declare("trainers", 1, "trainers per env-node host")
            .declare("model", "lenet5-caffe", "model every trainer trains")
            .declare("window", 120, "seconds over which each host count's rate is measured")
            .declare("timeout", 300, "seconds a node may take to start, join or deliver")
            .declare(
                "omp-threads",
                1,
                "OMP_NUM_THREADS of every node (the hosts share the cores); 0: unset, each node sizes"
                    + " its trainers' threads from the CPUs")
            .declare("min-replay-size", 64, "the agent's --min-replay-size")
            .declare("checkpoint-interval", 50, "the agent's --checkpoint-interval")
            .declare("kill-agent", true, "kill -9 and restart the agent-node at the end")
            .declare(
                "partition",
                60,
                "seconds to cut the agent-node from the env-nodes (nftables, root; 0: none)")
            .declare("address-prefix", "127.21.0.", "first three octets of the hosts' addresses")
            .declare("jar", DEFAULT_JAR, "the jitsparse fat jar")
            .declare(
                "image",
                "",
                "run every node from this image tarball instead (cli/target/jib-image.tar;"
                    + " k8s/image/run-image, as root)")
            .declare("java", Path.of(System.getProperty("java.home"), "bin", "java"), "java")
            .declare("node-opts", NODE_OPTS, "JVM options of every node")
            .declare("logs", "target/hosts-run", "folder of the nodes' logs and outputs")
            .declare("out", "bench/results/hosts.json", "result file (.csv and .png beside it)");
    if (!flags.parse(args)) {
      return;
    }
    Path logs = Path.of(flags.string("logs")).toAbsolutePath();
    if (Files.exists(logs)) {
      throw new IllegalArgumentException(
          "--logs " + logs + " exists: a restarted agent would resume its checkpoints; remove it");
    }
    Map<String, String> environment = new LinkedHashMap<>();
    int ompThreads = flags.integer("omp-threads", 0);
    if (ompThreads > 0) {
      environment.put("OMP_NUM_THREADS", Integer.toString(ompThreads));
    }
    environment.put("OMP_WAIT_POLICY", "PASSIVE");
    List<String> launcher;
    Path nodeOut;
    String image = flags.string("image");
    if (image.isEmpty()) {
      Path jar = Path.of(flags.string("jar"));
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException(
            jar + " is missing: build it with `mvn -pl cli -am package -DskipTests`");
      }
      launcher =
          NodeChild.jarCommand(flags.string("java"), flags.string("node-opts"), jar.toString());
      nodeOut = logs;
    } else {
      launcher = imageLauncher(Path.of(image), logs, environment);
      nodeOut = Path.of(IMAGE_DATA);
    }
    String warning = Machine.busyWarning();
    if (warning != null) {
      System.out.println("hosts: " + warning);
    }
    HostScenario.Settings settings =
        new HostScenario.Settings(
            launcher,
            logs,
            nodeOut,
            flags.string("address-prefix"),
            25520,
            8558,
            flags.integer("hosts", 1),
            Duration.ofSeconds(flags.integer("window", 1)),
            Duration.ofSeconds(flags.integer("timeout", 1)),
            Duration.ofSeconds(1),
            List.of(
                "--trainers",
                Integer.toString(flags.integer("trainers", 1)),
                "--model",
                flags.string("model"),
                "--run-id",
                "hosts-bench"),
            List.of(
                "--run-id",
                "hosts-bench",
                "--min-replay-size",
                Integer.toString(flags.integer("min-replay-size", 1)),
                "--checkpoint-interval",
                Integer.toString(flags.integer("checkpoint-interval", 1))),
            flags.bool("kill-agent"),
            Duration.ofSeconds(flags.integer("partition", 0)),
            environment);
    HostScenario.Result result;
    try (HostScenario scenario = new HostScenario(settings)) {
      result = scenario.run();
    }
    Path out = Path.of(flags.string("out"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", NAME);
    json.put("machine", Machine.describe());
    json.put("settings", settingsMap(flags));
    json.put("rates", result.rates());
    json.put("first_transition_seconds", result.firstTransitionSeconds());
    json.put("partition", result.partition());
    json.put("env_loss", result.envLoss());
    json.put("health", result.health());
    json.put("agent_restart", result.agentRestart());
    ResultFile.write(out, asPlain(json));
    Path csv = sibling(out, ".csv");
    writeCsv(result.timeline(), csv);
    Path png = sibling(out, ".png");
    writePlot(result.timeline(), png);
    result
        .health()
        .forEach(
            (node, h) ->
                System.out.printf(
                    java.util.Locale.ROOT,
                    "hosts: %s: %.0f unreachable events, scheduling delay worst %.3f s, p99 <= %.3f"
                        + " s over %.0f ticks%n",
                    node,
                    h.unreachableEvents(),
                    h.worstDelaySeconds(),
                    h.p99DelaySeconds(),
                    h.ticks()));
    System.out.println("hosts: wrote " + out + ", " + csv + ", " + png);
  }

  /**
   * {@code k8s/image/run-image IMAGE} as the nodes' launcher: each node runs the image's entrypoint
   * (its JVM settings from the image) in a chroot of one shared unpacked root file system, with
   * {@code logs} mounted at the image's data folder (as a pod's volume) and the OpenMP settings
   * passed in. The root file system is unpacked once here, before any node starts.
   */
  private static List<String> imageLauncher(Path image, Path logs, Map<String, String> environment)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(image)) {
      throw new IllegalArgumentException(
          "--image "
              + image
              + " is missing: build it as root with mvn -Pimage -pl cli -am package");
    }
    Path runImage = Path.of("k8s", "image", "run-image").toAbsolutePath();
    Path rootfs = logs.resolveSibling(logs.getFileName() + "-rootfs");
    Files.createDirectories(logs);
    // the image's user (10001) writes the nodes' outputs into the mounted folder
    Files.setPosixFilePermissions(
        logs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    environment.put("ROOTFS", rootfs.toString());
    environment.put("DATA_DIR", logs.toString());
    environment.put("PASS_ENV", "OMP_NUM_THREADS OMP_WAIT_POLICY");
    ProcessBuilder unpack =
        new ProcessBuilder(runImage.toString(), image.toString(), "--version").inheritIO();
    unpack.environment().putAll(environment);
    int exit = unpack.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("run-image " + image + " --version exited with " + exit);
    }
    return List.of(runImage.toString(), image.toAbsolutePath().toString());
  }

  private static Map<String, Object> settingsMap(Flags flags) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String k :
        List.of(
            "hosts",
            "trainers",
            "model",
            "window",
            "omp-threads",
            "min-replay-size",
            "checkpoint-interval",
            "partition",
            "node-opts",
            "image")) {
      m.put(k, flags.string(k));
    }
    return m;
  }

  /** Records as maps of their components, so the result file has named fields. */
  @SuppressWarnings("unchecked")
  private static <T> T asPlain(T value) {
    if (value instanceof Record r) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (var c : r.getClass().getRecordComponents()) {
        try {
          m.put(c.getName(), asPlain(c.getAccessor().invoke(r)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return (T) m;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> m = new LinkedHashMap<>();
      map.forEach((k, v) -> m.put(k, asPlain(v)));
      return (T) m;
    }
    if (value instanceof List<?> list) {
      List<Object> l = new ArrayList<>();
      list.forEach(v -> l.add(asPlain(v)));
      return (T) l;
    }
    return value;
  }

  private static Path sibling(Path json, String extension) {
    String name = json.getFileName().toString().replaceFirst("\\.json$", "");
    return json.resolveSibling(name + extension);
  }

  private static void writeCsv(List<Map<String, Object>> rows, Path csv) throws IOException {
    List<String> columns = new ArrayList<>();
    rows.forEach(
        r ->
            r.keySet()
                .forEach(
                    k -> {
                      if (!columns.contains(k)) {
                        columns.add(k);
                      }
                    }));
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
      w.println(String.join(",", columns));
      for (Map<String, Object> r : rows) {
        List<String> cells = new ArrayList<>();
        for (String c : columns) {
          Object v = r.get(c);
          cells.add(v == null ? "" : v.toString());
        }
        w.println(String.join(",", cells));
      }
    }
  }

  /** Transitions received (blue) and policy version (orange, own scale) against seconds. */
  private static void writePlot(List<Map<String, Object>> rows, Path png) throws IOException {
    BufferedImage img = new BufferedImage(PLOT_WIDTH, PLOT_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, PLOT_WIDTH, PLOT_HEIGHT);
    double tMax = 1;
    double rMax = 1;
    double vMax = 1;
    for (Map<String, Object> r : rows) {
      tMax = Math.max(tMax, num(r, "seconds"));
      rMax = Math.max(rMax, num(r, "received"));
      vMax = Math.max(vMax, num(r, "version"));
    }
    int w = PLOT_WIDTH - 2 * MARGIN;
    int h = PLOT_HEIGHT - 2 * MARGIN;
    g.setColor(Color.GRAY);
    g.drawRect(MARGIN, MARGIN, w, h);
    series(g, rows, "received", tMax, rMax, new Color(31, 119, 180), w, h);
    series(g, rows, "version", tMax, vMax, new Color(255, 127, 14), w, h);
    g.setColor(Color.BLACK);
    g.drawString(
        String.format(
            java.util.Locale.ROOT,
            "transitions received by the replay (blue, max %.0f; 0 after an agent restart) and"
                + " published policy version (orange, max %.0f) over %.0f s",
            rMax,
            vMax,
            tMax),
        MARGIN,
        MARGIN - 15);
    for (double t = 0; t <= tMax; t += TICK_SECONDS) {
      int x = MARGIN + (int) (w * t / tMax);
      g.drawLine(x, MARGIN + h, x, MARGIN + h + TICK_LENGTH);
      g.drawString(
          String.format(java.util.Locale.ROOT, "%.0f", t), x - TICK_LENGTH, MARGIN + h + 20);
    }
    g.drawString("seconds since the agent-node started", PLOT_WIDTH / 2 - 100, PLOT_HEIGHT - 8);
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  private static void series(
      Graphics2D g,
      List<Map<String, Object>> rows,
      String key,
      double tMax,
      double yMax,
      Color color,
      int w,
      int h) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2f));
    int px = -1;
    int py = -1;
    for (Map<String, Object> r : rows) {
      if (!r.containsKey(key)) {
        px = -1;
        continue;
      }
      int x = MARGIN + (int) (w * num(r, "seconds") / tMax);
      int y = MARGIN + h - (int) (h * num(r, key) / yMax);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
  }

  private static double num(Map<String, Object> r, String key) {
    Object v = r.get(key);
    return v instanceof Number n ? n.doubleValue() : 0;
  }
}
