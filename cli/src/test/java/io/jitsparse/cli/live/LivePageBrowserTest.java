package io.jitsparse.cli.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.cli.cluster.NodeProcess;
import io.jitsparse.env.loadgen.ModelShapes;
import io.jitsparse.env.model.ModelRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page as a user sees it: a short real {@code jitsparse run} with two trainers, its page
 * opened in headless Chromium by {@code monitoring/web/test/live-page.mjs} (playwright-core), which
 * waits until both trainers show every layer, reads the densities on screen, waits until one
 * changes, takes a screenshot ({@code cli/target/live-page/live-page.png}) and reports as JSON.
 * Without chromium or node the test is skipped, except under {@code CI=true}, where it fails.
 */
class LivePageBrowserTest {

  private static final String MODEL = "lenet5-caffe";
  private static final int TRAINERS = 2;
  private static final Pattern LIVE_PAGE =
      Pattern.compile("jitsparse: live page (http://[^\\s/]+)/\\s+metrics (http://\\S+)/metrics");
  private static final Pattern STOPPING = Pattern.compile("SIGTERM: stopping learning");
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration BROWSER = Duration.ofSeconds(240);
  // The script has its own deadline (BROWSER); this one only guards against a hung process.
  private static final Duration BROWSER_PROCESS = BROWSER.plusSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(30);
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private static Path basedir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }

  /** Skips, or fails under CI, when a tool the test needs is missing. */
  private static void require(boolean present, String what) {
    if (!present) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(what + " (CI=true: the browser test must run)");
      }
      Assumptions.assumeTrue(false, what);
    }
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  @Test
  void showsBothTrainersLayersWithChangingDensities(@TempDir Path tmp) throws Exception {
    Path web = basedir().resolveSibling("monitoring").resolve("web");
    Path node = onPath("node");
    require(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + ": apt-get install chromium");
    require(node != null, "no node on the PATH: apt-get install nodejs npm");
    require(
        Files.isDirectory(web.resolve("node_modules/playwright-core")),
        "no playwright-core in "
            + web
            + "/node_modules: build the monitoring module in the same reactor (-pl cli -am)");
    int layers = ModelShapes.of(MODEL, ModelRegistry.DEFAULT_RESNET_WIDTH).size();
    Path outDir = basedir().resolve("target/live-page");
    Files.createDirectories(outDir);
    Path screenshot = outDir.resolve("live-page.png");
    Files.deleteIfExists(screenshot);

    try (NodeProcess run =
        NodeProcess.start(
            "run",
            "1500m",
            outDir.resolve("run.log"),
            List.of(),
            "run",
            "--out",
            tmp.resolve("run").toString(),
            "--budget",
            "5m",
            "--trainers",
            Integer.toString(TRAINERS),
            "--model",
            MODEL,
            "--episode-steps",
            "60",
            "--decision-interval",
            "10",
            "--min-replay-size",
            "4",
            "--learner-batch-size",
            "4",
            "--train-samples",
            "3000",
            "--validation-samples",
            "200",
            "--test-samples",
            "500",
            "--http-port",
            "0")) {
      var printed = run.await(LIVE_PAGE, START);
      assertEquals(printed.group(1), printed.group(2), "page and metrics share the node's port");
      String url = printed.group(1) + "/";

      JsonNode r = browse(node, web, url, screenshot, tmp);
      if (!r.path("ok").asBoolean()) {
        fail(
            "the page check failed at '"
                + r.path("step").asText()
                + "': "
                + r.path("error").asText()
                + "\nscreenshot: "
                + screenshot
                + "\nrun:\n"
                + run.tail(30));
      }
      JsonNode trainers = r.get("after");
      assertEquals(TRAINERS, trainers.size(), r.toString());
      for (JsonNode t : trainers) {
        assertEquals(MODEL, t.get("model").asText());
        assertEquals(layers, t.get("layers").asInt(), "layers shown for " + t.get("id"));
        assertEquals(layers, t.get("densities").size(), "densities shown for " + t.get("id"));
        for (JsonNode d : t.get("densities")) {
          assertTrue(d.asDouble() >= 0 && d.asDouble() <= 1, t.toString());
        }
      }
      assertTrue(r.get("changed").size() >= 1, "no density changed on screen: " + r);
      assertTrue(r.get("episodes").asInt() >= 1, "no episode on the learning curve: " + r);
      JsonNode members = r.get("members");
      assertEquals(1, members.size(), members.toString());
      assertEquals("Up", members.get(0).get("status").asText());
      assertTrue(members.get(0).get("reachable").asBoolean());
      assertEquals(0, r.get("errors").size(), "errors in the page: " + r.get("errors"));
      assertEquals(
          0, r.get("externalRequests").size(), "fetched elsewhere: " + r.get("externalRequests"));
      assertTrue(Files.size(screenshot) > 0, "no screenshot");

      stop(run);
    }
  }

  /** Runs the page check; its last stdout line is the JSON result. */
  private static JsonNode browse(Path node, Path web, String url, Path screenshot, Path tmp)
      throws Exception {
    Path out = tmp.resolve("browser.json");
    Path err = screenshot.resolveSibling("browser.log");
    Process p =
        new ProcessBuilder(
                node.toString(),
                web.resolve("test/live-page.mjs").toString(),
                "--url",
                url,
                "--screenshot",
                screenshot.toString(),
                "--trainers",
                Integer.toString(TRAINERS),
                "--min-episodes",
                "1",
                "--timeout-ms",
                Long.toString(BROWSER.toMillis()),
                "--chromium",
                CHROMIUM.toString())
            .directory(web.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!p.waitFor(BROWSER_PROCESS.toSeconds(), TimeUnit.SECONDS)) {
        fail("the browser check did not end within " + BROWSER_PROCESS + ":\n" + tail(err));
      }
    } finally {
      p.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out);
    assertFalse(lines.isEmpty(), "the browser check printed nothing:\n" + tail(err));
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  private static String tail(Path log) throws Exception {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  /**
   * Stops {@code run} now: the first SIGTERM ends learning (run would then evaluate and report,
   * which this test does not need), the second quits at once. Signals go through the process
   * handle: {@code Process.destroy()} also closes our end of its output, and the line awaited in
   * between would never arrive.
   */
  private static void stop(NodeProcess run) throws Exception {
    ProcessHandle handle = run.process().toHandle();
    handle.destroy();
    run.await(STOPPING, STOP);
    handle.destroy();
    assertTrue(run.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS), "run did not stop");
  }
}
