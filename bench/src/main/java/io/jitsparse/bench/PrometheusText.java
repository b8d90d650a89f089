package io.jitsparse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a node's {@code /metrics} (Prometheus text format), summed per metric name over its
 * series, optionally only over series whose {@code trainer} label starts with a prefix (so a
 * benchmark counts its own load generator's trainers and not those of an earlier one).
 */
final class PrometheusText {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private static final String TRAINER_LABEL = "trainer=\"";

  private final String body;
  private final long nanos = System.nanoTime();

  private PrometheusText(String body) {
    this.body = body;
  }

  /** An exposition already in hand (a test's, or one read from a file). */
  static PrometheusText of(String body) {
    return new PrometheusText(body);
  }

  /** GET {@code httpBase/metrics}. */
  static PrometheusText scrape(String httpBase) throws IOException, InterruptedException {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(httpBase + "/metrics")).timeout(TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(httpBase + "/metrics answered " + r.statusCode());
    }
    return new PrometheusText(r.body());
  }

  /** When the scrape was taken ({@link System#nanoTime()}). */
  long nanos() {
    return nanos;
  }

  /** Bytes of the exposition (UTF-8), as a scraper receives them. */
  int bytes() {
    return body.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The sample lines (one per series): every non-empty line that is not a comment. */
  List<String> samples() {
    List<String> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        out.add(line);
      }
    }
    return out;
  }

  /** The metric name of a sample line (up to its labels or value). */
  static String metricName(String sample) {
    int end = sample.length();
    int brace = sample.indexOf('{');
    int space = sample.indexOf(' ');
    if (brace >= 0) {
      end = brace;
    } else if (space >= 0) {
      end = space;
    }
    return sample.substring(0, end);
  }

  /** Families as declared by {@code # TYPE name type} lines: name to type, in order. */
  Map<String, String> families() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        if (parts.length >= 4) {
          out.put(parts[2], parts[3]);
        }
      }
    }
    return out;
  }

  /** Families whose {@code # HELP} line has no text. */
  List<String> familiesWithoutHelp() {
    List<String> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 4 || parts[3].isBlank()) {
          out.add(parts[2]);
        }
      }
    }
    return out;
  }

  /** Sum of every series of {@code name}; 0 when it has none. */
  double sum(String name) {
    return sum(name, null);
  }

  /**
   * Sum of the series of {@code name} whose trainer label starts with {@code trainerPrefix} (all
   * series when it is null); 0 when none match.
   */
  double sum(String name, String trainerPrefix) {
    double total = 0;
    for (String line : body.split("\n")) {
      if (matches(line, name, trainerPrefix)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /**
   * Sum of the series of {@code name} whose trainer label starts with {@code trainerPrefix} (all
   * when null) and that carry the label {@code label} (e.g. {@code outcome="completed"}); 0 when
   * none match.
   */
  double sum(String name, String trainerPrefix, String label) {
    double total = 0;
    for (String line : body.split("\n")) {
      if (matches(line, name, trainerPrefix) && line.contains(label)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /** Series of {@code name} whose trainer label starts with {@code trainerPrefix}. */
  int count(String name, String trainerPrefix) {
    int n = 0;
    for (String line : body.split("\n")) {
      if (matches(line, name, trainerPrefix)) {
        n++;
      }
    }
    return n;
  }

  private static boolean matches(String line, String name, String trainerPrefix) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
      return false;
    }
    return trainerPrefix == null || line.contains(TRAINER_LABEL + trainerPrefix);
  }
}
