package io.jitsparse.env.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jitsparse.env.trainer.ActorTests;
import io.jitsparse.env.trainer.TrainerSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvNodeTest {

  @Test
  void nodeNamesAreMadeFileNameSafe() {
    assertEquals("node-a-b_1.x", EnvNode.sanitize("node a/b_1.x"));
    assertEquals("n-pod", EnvNode.sanitize("-pod"));
    assertEquals("n", EnvNode.sanitize(""));
  }

  @Test
  void stopsItselfWhenAllTrainersFinished(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      TrainerSettings s =
          ActorTests.settings(
              out,
              Map.of("trainers", 2, "episodes", 1, "episode-steps", 10, "decision-interval", 5));
      ActorRef<EnvNode.Command> node =
          kit.spawn(
              EnvNode.create(s, "env node/1", new SimpleMeterRegistry(), ActorTests.data()), "env");
      TestProbe<Object> watcher = kit.createTestProbe();
      watcher.expectTerminated(node, Duration.ofSeconds(180));
      List<JsonNode> lines = ActorTests.journal(out);
      assertEquals(2, lines.size());
      assertTrue(
          lines.stream()
              .map(l -> l.get("trainer").asText())
              .toList()
              .containsAll(List.of("env-node-1-0", "env-node-1-1")));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void shutdownStopsEveryTrainerAndJournalsTheEpisodeInProgress(@TempDir Path out) {
    ActorTestKit kit = ActorTests.clusterKit();
    try {
      TrainerSettings s = ActorTests.settings(out, Map.of("episodes", 0, "episode-steps", 1000));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      ActorRef<EnvNode.Command> node =
          kit.spawn(EnvNode.create(s, "node", meters, ActorTests.data()), "env");
      TestProbe<Object> poll = kit.createTestProbe();
      poll.awaitAssert(
          Duration.ofSeconds(180),
          Duration.ofMillis(100),
          () -> {
            assertTrue(meters.get("jitsparse.trainer.steps").counter().count() >= 3);
            return null;
          });
      TestProbe<Done> done = kit.createTestProbe(Done.class);
      node.tell(new EnvNode.Shutdown(done.ref()));
      done.expectMessage(Duration.ofSeconds(30), Done.getInstance());
      List<JsonNode> lines = ActorTests.journal(out);
      assertEquals(1, lines.size());
      assertTrue(lines.get(0).get("aborted").asBoolean());
      assertEquals("shutdown", lines.get(0).get("abort_reason").asText());
      poll.expectTerminated(node, Duration.ofSeconds(10));
    } finally {
      kit.shutdownTestKit();
    }
  }
}
