package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing on loopback: one agent-node and two env-node JVMs form a cluster on free ports;
 * every trainer registers, gets actions and writes its episodes; {@code kill -9} of one env-node
 * leaves the agent and the other env-node running, and the agent drops the dead trainer's explorer.
 * Every process the test starts is ended by it.
 */
class MultiProcessClusterTest {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration EPISODE = Duration.ofSeconds(240);
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void agentAndTwoEnvNodesSurviveTheLossOfOne() throws Exception {
    List<NodeProcess> all = new ArrayList<>();
    try {
      NodeProcess agent =
          NodeProcess.start(
              "agent",
              "512m",
              dir.resolve("agent.log"),
              NodeProcess.FAST_DOWNING,
              "agent-node",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--http-port",
              "0",
              "--run-id",
              "mp-test");
      all.add(agent);
      String seed = agent.clusterHostPort(START);
      String agentHttp = agent.httpBase(START);
      agent.await(java.util.regex.Pattern.compile("member up"), START);
      assertEquals(200, NodeProcess.status(agentHttp, "/alive"));

      NodeProcess envA = env("a", seed);
      all.add(envA);
      NodeProcess envB = env("b", seed);
      all.add(envB);

      // both trainers registered: two explorers on the agent
      awaitTrue(() -> metric(agentHttp, "jitsparse_agent_explorers") == 2, START, agent);

      Path linesA = dir.resolve("a/episodes.jsonl");
      Path linesB = dir.resolve("b/episodes.jsonl");
      awaitTrue(() -> lines(linesA).size() >= 1 && lines(linesB).size() >= 1, EPISODE, envA);
      for (Path p : List.of(linesA, linesB)) {
        JsonNode e = JSON.readTree(lines(p).get(0));
        assertEquals("mp-test", e.path("run_id").asText(), "run id reaches trainers: " + e);
        assertEquals(false, e.path("aborted").asBoolean(), e.toString());
        assertEquals(0.3, e.path("global_density").asDouble(), 1e-3, "ends at target: " + e);
        assertTrue(e.path("test_accuracy").asDouble() > 0.1, e.toString());
        for (String field :
            List.of(
                "trainer",
                "model",
                "seed",
                "episode",
                "steps",
                "training_flops",
                "return",
                "policy_version")) {
          assertTrue(e.has(field), field + " in " + e);
        }
      }
      // the agent answered: actions reached the trainers
      assertTrue(metric(agentHttp, "jitsparse_agent_actions_total") > 0);

      envB.killHard();
      assertTrue(!envB.isAlive());
      awaitTrue(() -> metric(agentHttp, "jitsparse_agent_explorers") == 1, START, agent);
      assertTrue(metric(agentHttp, "jitsparse_agent_explorers_dropped_total") >= 1);
      agent.await(java.util.regex.Pattern.compile("dropped \\d+ explorers?"), START);

      // the survivors keep working: env-node a finishes another episode
      int before = lines(linesA).size();
      awaitTrue(() -> lines(linesA).size() > before, EPISODE, envA);
      assertTrue(agent.isAlive() && envA.isAlive());
      assertEquals(200, NodeProcess.status(agentHttp, "/ready"));
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }

  private NodeProcess env(String name, String seed) throws IOException {
    return NodeProcess.start(
        name,
        "768m",
        dir.resolve(name + ".log"),
        NodeProcess.FAST_DOWNING,
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
        "env-" + name,
        "--trainers",
        "1",
        "--model",
        "lenet-300-100",
        "--density",
        "0.3",
        "--episodes",
        "0",
        "--episode-steps",
        "40",
        "--decision-interval",
        "10",
        "--train-samples",
        "3000",
        "--validation-samples",
        "200",
        "--test-samples",
        "500",
        "--out",
        dir.resolve(name).toString());
  }

  private static List<String> lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static double metric(String http, String name) {
    try {
      return NodeProcess.metric(http, name);
    } catch (IOException | InterruptedException e) {
      return Double.NaN;
    }
  }

  /** Polls {@code condition} every 250 ms until it holds or {@code timeout} passes. */
  private static void awaitTrue(BooleanSupplier condition, Duration timeout, NodeProcess context)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout + "\n" + context.tail(40));
      }
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
          .get();
    }
  }
}
