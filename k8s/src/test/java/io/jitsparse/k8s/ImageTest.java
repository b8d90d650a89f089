package io.jitsparse.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.monitoring.ExternalTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container image as a pod would run it, without a container runtime: {@code
 * k8s/image/run-image} unpacks {@code cli/target/jib-image.tar} (Jib, profile {@code image}, on the
 * Debian base of {@code k8s/image/base-image}) and starts the image's own entrypoint under {@code
 * unshare} + {@code chroot}, as the image's user, with a read-only root file system and the pods'
 * writable folders. The node prints its version and forms a cluster of one. Needs root and the
 * image (./run-tests builds it as root); without them the test is skipped, except under {@code
 * CI=true}, where it fails.
 */
class ImageTest {

  private static final Pattern LIVE_PAGE = Pattern.compile("jitsparse: live page (http://\\S+)/ ");
  private static final Duration START = Duration.ofSeconds(180);

  /** An agent-node on loopback, free ports, a small replay: a cluster of one. */
  private static final String ONE_NODE =
      "agent-node --host 127.0.0.1 --port 0 --http-port 0 --budget 60s --replay-memory 32MiB";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path image;
  private static Path rootfs;

  private static Path k8s() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }

  @BeforeAll
  static void image() throws IOException {
    image = k8s().resolveSibling("cli").resolve("target/jib-image.tar");
    String missing =
        !Files.isRegularFile(image)
            ? "no " + image + ": build it as root with mvn -Pimage -pl cli -am package"
            : !"root".equals(System.getProperty("user.name"))
                ? "run-image needs root (unshare, chroot)"
                : ExternalTools.find("unshare").isEmpty() ? "no unshare (util-linux)" : null;
    if (missing != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(missing + " (CI=true: the image test must run)");
      }
      Assumptions.abort(missing);
    }
    rootfs = k8s().resolve("target/image-rootfs");
    // unpacked afresh from this image by the first run-image
    try {
      new ProcessBuilder("rm", "-rf", rootfs.toString()).inheritIO().start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process runImage(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(k8s().resolve("image/run-image").toString()));
    cmd.add(image.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ROOTFS", rootfs.toString());
    return pb.start();
  }

  @Test
  void aNodeStartsFromTheImageAndFormsAClusterOfOne() throws Exception {
    JsonNode config = imageConfig();
    assertEquals("10001:10001", config.at("/config/User").asText(), "the image's user");
    assertTrue(
        config.at("/config/Entrypoint").toString().contains("io.jitsparse.cli.JitsparseCommand"),
        config.toString());

    Process version = runImage("--version");
    String printed = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(version.waitFor(120, TimeUnit.SECONDS), "--version did not end");
    assertEquals(0, version.exitValue(), printed);
    assertTrue(printed.contains("jitsparse 0.1.0"), printed);
    assertTrue(printed.contains("Java 17"), printed);

    Process agent = runImage(ONE_NODE.split(" "));
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
      CompletableFuture<Matcher> page =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                    Matcher m = LIVE_PAGE.matcher(line);
                    if (m.find()) {
                      return m;
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
                return null;
              });
      Matcher m = page.get(START.toSeconds(), TimeUnit.SECONDS);
      synchronized (lines) {
        assertTrue(m != null, "no live page line:\n" + String.join("\n", lines));
        assertTrue(
            lines.stream().anyMatch(l -> l.contains("jitsparse: member up")), lines.toString());
      }
      String http = m.group(1);
      assertEquals(200, get(http + "/ready").statusCode(), "a member is ready");
      String metrics = get(http + "/metrics").body();
      assertTrue(
          metrics
              .lines()
              .anyMatch(
                  l ->
                      l.startsWith("jitsparse_cluster_members{member_role=\"agent\"")
                          && l.contains("status=\"up\"")
                          && l.endsWith(" 1.0")),
          "one agent member up");
      System.out.printf(
          "image %s: %.0f MiB; agent-node from the image up and ready%n",
          image.getFileName(), Files.size(image) / 1048576.0);
    } finally {
      agent.destroy();
      if (!agent.waitFor(60, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The image's config (User, Entrypoint, Env), read from the tarball's manifest. */
  private static JsonNode imageConfig() throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    JsonNode manifest = json.readTree(tarEntry("manifest.json"));
    return json.readTree(tarEntry(manifest.get(0).get("Config").asText()));
  }

  private static byte[] tarEntry(String name) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("tar", "-xOf", image.toString(), name).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "tar " + name);
    return bytes;
  }
}
