package io.jitsparse.monitoring.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page, its assets and the API on a real Pekko Management server, with the route listed in
 * {@code pekko.management.http.routes} as the nodes list it (cli's jitsparse-node.conf).
 */
class LiveRouteTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static ActorSystem system;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    system =
        ActorSystem.create(
            "LiveRouteTest",
            ConfigFactory.parseString(
                    "pekko.management.http { hostname = 127.0.0.1, port = 0,"
                        + " routes.jitsparse-live = \"io.jitsparse.monitoring.live.LiveRoute\" }")
                .withFallback(ConfigFactory.load()));
    base =
        PekkoManagement.get(system)
            .start()
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
            .toString();
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageItsAssetsAndTheApiOnceABoardIsAttached() throws Exception {
    // an env-node never attaches a board: no page, health routes as before
    assertEquals(404, get("/").statusCode());
    assertEquals(404, get("/api/live").statusCode());
    assertEquals(200, get("/alive").statusCode());

    LiveBoard board = LiveBoard.create(LiveSettings.create(ConfigFactory.load()));
    board.describe("run-7", "node-7");
    LiveRoute.ID.get(system).attach(board);

    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("live/live.js"), "the page loads its module");
    for (String asset :
        new String[] {
          "/live/live.js",
          "/live/heatmap.js",
          "/live/live.css",
          "/live/vendor/uPlot.esm.js",
          "/live/vendor/uPlot.min.css"
        }) {
      HttpResponse<String> r = get(asset);
      assertEquals(200, r.statusCode(), asset);
      assertTrue(r.body().length() > 100, asset + " is empty");
    }
    assertTrue(
        get("/live/live.js")
            .headers()
            .firstValue("content-type")
            .orElse("")
            .contains("javascript"));
    assertNotEquals(200, get("/live/../reference.conf").statusCode());

    HttpResponse<String> api = get("/api/live?since=0");
    assertEquals(200, api.statusCode());
    assertEquals("application/json", api.headers().firstValue("content-type").orElse(""));
    assertEquals("no-store", api.headers().firstValue("cache-control").orElse(""));
    var json = new ObjectMapper().readTree(api.body());
    assertEquals("run-7", json.get("runId").asText());
    assertEquals(0, json.get("trainers").size());
    assertEquals(400, get("/api/live?since=soon").statusCode());
    assertEquals(400, get("/api/live?since=-1").statusCode());
  }
}
