package io.jitsparse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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
