package io.jitsparse.monitoring.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape the page (monitoring/web/src/live.js) reads; docs/metrics.md documents it. */
class LiveJsonTest {

  @Test
  void viewHasTheDocumentedShape() throws Exception {
    LiveBoard board =
        new LiveBoard(
            new LiveSettings(100, 100, 4, Duration.ofMillis(750), Duration.ofSeconds(15)),
            () -> 42_000L);
    board.describe("run-1", "host-1");
    board.addTrainer(
        new TrainerInfo(
            "env-a-0",
            "env-a",
            "lenet5-caffe",
            0.1,
            60,
            List.of(
                new TrainerInfo.Layer(0, "conv", 500), new TrainerInfo.Layer(1, "dense", 5000))));
    board.addStep("env-a-0", 2, 7, Double.NaN, 0.25, new double[] {0.123456789, 1.0});
    board.addEpisode("env-a-0", 1, -0.05, 0.81, 0.1, 3);
    board.setMembers(
        List.of(
            new Member(
                "pekko://jitsparse@127.0.0.1:25520", List.of("agent", "env"), "Up", true, true)));

    JsonNode j = new ObjectMapper().readTree(LiveJson.write(board.view(0)));
    assertTrue(j.get("boardId").asText().length() > 0);
    assertEquals(board.view(0).cursor(), j.get("cursor").asLong());
    assertEquals(42_000, j.get("now").asLong());
    assertEquals(750, j.get("pollMillis").asLong());
    assertEquals(100, j.get("historyPoints").asInt());
    assertEquals("run-1", j.get("runId").asText());
    assertEquals("host-1", j.get("node").asText());

    JsonNode t = j.get("trainers").get(0);
    assertEquals("env-a-0", t.get("id").asText());
    assertEquals("lenet5-caffe", t.get("model").asText());
    assertEquals(60, t.get("episodeSteps").asInt());
    assertEquals(0.1, t.get("targetDensity").asDouble());
    assertEquals(2, t.get("layers").size());
    assertEquals("dense", t.get("layers").get(1).get("kind").asText());
    assertEquals(5000, t.get("layers").get(1).get("parameters").asLong());
    assertEquals(1, t.get("stride").asLong());
    assertTrue(t.get("reset").asBoolean());
    assertEquals(42_000, t.get("updatedAt").asLong());
    JsonNode p = t.get("points").get(0);
    assertEquals(2, p.get("episode").asLong());
    assertEquals(7, p.get("step").asLong());
    assertEquals(7, p.get("globalStep").asLong());
    assertEquals(0.123457, p.get("densities").get(0).asDouble(), 1e-12, "rounded to 6 decimals");
    assertEquals(1.0, p.get("densities").get(1).asDouble());
    assertTrue(p.get("loss").isNull(), "NaN is null");
    assertEquals(0.25, p.get("accuracy").asDouble());
    assertEquals(p, t.get("latest"));

    JsonNode c = j.get("curve");
    assertTrue(c.get("reset").asBoolean());
    assertEquals(1, c.get("episodes").asLong());
    JsonNode e = c.get("points").get(0);
    assertEquals(1, e.get("n").asLong());
    assertEquals("env-a-0", e.get("trainer").asText());
    assertEquals(1, e.get("episode").asLong());
    assertEquals(-0.05, e.get("return").asDouble());
    assertEquals(0.81, e.get("testAccuracy").asDouble());
    assertEquals(0.1, e.get("globalDensity").asDouble());
    assertEquals(3, e.get("policyVersion").asLong());
    assertEquals(e, c.get("latest"));

    JsonNode m = j.get("members").get(0);
    assertEquals("pekko://jitsparse@127.0.0.1:25520", m.get("address").asText());
    assertEquals("env", m.get("roles").get(1).asText());
    assertEquals("Up", m.get("status").asText());
    assertTrue(m.get("reachable").asBoolean());
    assertTrue(m.get("self").asBoolean());
  }
}
