package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import io.jitsparse.env.node.EpisodeJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Shared helpers of the actor tests: a one-node cluster, tiny settings, the real data set. */
public final class ActorTests {

  private static FashionMnist data;

  private ActorTests() {}

  /** A test kit whose system has joined itself, so the cluster receptionist is live. */
  public static ActorTestKit clusterKit() {
    ActorTestKit kit = ActorTestKit.create(ConfigFactory.load());
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          assertEquals(MemberStatus.up(), cluster.selfMember().status());
          return null;
        });
    return kit;
  }

  /**
   * Tiny trainer settings: lenet-300-100, small samples, short timeouts; {@code overrides} are keys
   * of {@code jitsparse.env-node}.
   */
  public static TrainerSettings settings(Path out, Map<String, Object> overrides) {
    return settings(out, overrides, Map.of());
  }

  /** As {@link #settings(Path, Map)}, with {@code root} overriding any config path. */
  public static TrainerSettings settings(
      Path out, Map<String, Object> overrides, Map<String, Object> root) {
    Map<String, Object> paths = new HashMap<>();
    paths.put("jitsparse.env-node.trainers", 1);
    paths.put("jitsparse.env-node.model", "lenet-300-100");
    paths.put("jitsparse.env-node.episodes", 1);
    paths.put("jitsparse.env-node.episode-steps", 20);
    paths.put("jitsparse.env-node.decision-interval", 5);
    paths.put("jitsparse.env-node.validation-samples", 200);
    paths.put("jitsparse.env-node.test-samples", 500);
    paths.put("jitsparse.env-node.train-samples", 2048);
    paths.put("jitsparse.env-node.register-retry", "200ms");
    paths.put("jitsparse.env-node.ack-timeout", "300ms");
    paths.put("jitsparse.env-node.agent-timeout", "3s");
    paths.put("jitsparse.env-node.out", out.toString());
    paths.put("jitsparse.baseline.progress-seconds", 1000);
    overrides.forEach((k, v) -> paths.put("jitsparse.env-node." + k, v));
    paths.putAll(root);
    return TrainerSettings.create(
        ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()).resolve());
  }

  /**
   * Spawns a trainer the way {@code EnvNode} does (on the trainer dispatcher) with a journal in
   * {@code out}, the real data and the name {@code id}.
   */
  public static org.apache.pekko.actor.typed.ActorRef<Trainer.Command> spawnTrainer(
      ActorTestKit kit,
      TrainerSettings s,
      String id,
      Path out,
      io.micrometer.core.instrument.MeterRegistry meters) {
    var journal = kit.spawn(EpisodeJournal.create(out), "journal-" + id);
    return kit.spawn(
        Trainer.create(s, 0, id, journal, meters, "test-node", data()),
        id,
        org.apache.pekko.actor.typed.DispatcherSelector.fromConfig(
            TrainerSettings.TRAINER_DISPATCHER));
  }

  /** The real Fashion-MNIST with 500 test images; the test is skipped where it is absent. */
  public static Supplier<FashionMnist> data() {
    return () -> TrainerData.limitTest(load(), 500);
  }

  private static synchronized FashionMnist load() {
    if (data == null) {
      boolean present = FashionMnist.isPresentIn(FashionMnistLocator.SYSTEM_DIR);
      if (!"true".equals(System.getenv("CI"))) {
        assumeTrue(present, "dataset-fashion-mnist is not installed");
      }
      data = new FashionMnistLocator(Path.of("target/no-project-data"), s -> {}).load(null);
    }
    return data;
  }

  /** The journal's lines, parsed. */
  public static List<JsonNode> journal(Path out) {
    Path file = out.resolve(EpisodeJournal.FILE);
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    try {
      String text = Files.readString(file);
      if (!text.isEmpty() && !text.endsWith("\n")) {
        throw new AssertionError("journal ends in a partial line: " + text);
      }
      ObjectMapper json = new ObjectMapper();
      for (String line : text.split("\n")) {
        if (!line.isEmpty()) {
          lines.add(json.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }
}
