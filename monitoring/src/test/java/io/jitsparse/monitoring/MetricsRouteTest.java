package io.jitsparse.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} on a real Pekko Management server, listed as the nodes list it. */
class MetricsRouteTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Test
  void unavailableUntilTheNodeAttachesItsMetersThenTheirText() throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "MetricsRouteTest",
            ConfigFactory.parseString(
                    "pekko.management.http { hostname = 127.0.0.1, port = 0,"
                        + " routes.jitsparse-metrics = \"io.jitsparse.monitoring.MetricsRoute\" }")
                .withFallback(ConfigFactory.load()));
    try (NodeMeters meters = NodeMeters.create("env", "node-m", "run-m")) {
      String base =
          PekkoManagement.get(system)
              .start()
              .toCompletableFuture()
              .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              .toString();
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest get =
          HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(TIMEOUT).build();
      assertEquals(503, http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());

      Counter.builder("jitsparse.test.hits").description("test").register(meters.registry());
      MetricsRoute.ID.get(system).attach(meters);
      HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
      assertTrue(
          r.body()
              .contains("jitsparse_test_hits_total{node=\"node-m\",role=\"env\",run=\"run-m\"}"),
          r.body());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
