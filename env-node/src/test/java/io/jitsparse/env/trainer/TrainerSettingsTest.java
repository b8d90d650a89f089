package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainerSettingsTest {

  private static TrainerSettings with(Map<String, Object> overrides) {
    Map<String, Object> paths = new java.util.HashMap<>();
    overrides.forEach((k, v) -> paths.put(TrainerSettings.PATH + "." + k, v));
    return TrainerSettings.create(
        ConfigFactory.parseMap(paths).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void referenceDefaultsAreValid() {
    TrainerSettings s = with(Map.of());
    assertEquals(2, s.trainers());
    assertEquals("lenet5-caffe", s.model());
    assertEquals(0.1, s.density());
    assertEquals(200, s.episodeSteps());
    assertEquals(Duration.ofSeconds(10), s.agentTimeout());
    assertEquals(11, s.decisionsPerEpisode());
    assertEquals(20, s.decisionInterval());
    assertEquals(0.0, s.flopsWeight());
    assertTrue(s.budgeted());
    // a controlled episode trains the reference's own method (cubic GMP with ERK), steered
    assertEquals("gmp", s.engine(5).method());
    assertEquals("erk", s.engine(5).distribution());
    assertEquals("cubic", s.engine(5).schedule());
    assertEquals(0.1, s.engine(5).density());
    assertEquals(5, s.engine(5).seed());
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertMessage(Map.of("density", 1.5), "jitsparse.env-node.density");
    assertMessage(Map.of("decision-interval", 500), "jitsparse.env-node.decision-interval");
    assertMessage(Map.of("decision-interval", "5x"), "jitsparse.env-node.decision-interval");
    assertMessage(Map.of("compute-budget", "some"), "jitsparse.env-node.compute-budget");
    assertMessage(
        Map.of("reference-distribution", "erk2"), "jitsparse.env-node.reference-distribution");
    assertMessage(Map.of("reference-end", "120%"), "jitsparse.env-node.reference-end");
    assertMessage(Map.of("fallback-schedule", "cubic"), "jitsparse.env-node.fallback-schedule");
    assertMessage(Map.of("ack-timeout", "0s"), "jitsparse.env-node.ack-timeout");
    assertMessage(Map.of("agent-timeout", "soon"), "jitsparse.env-node.agent-timeout");
    assertMessage(Map.of("model", "vgg"), "jitsparse.env-node.model");
    assertMessage(Map.of("grow", "magic"), "jitsparse.env-node.grow");
    assertMessage(Map.of("min-layer-density", 0.5), "jitsparse.env-node.min-layer-density");
    assertMessage(Map.of("flops-weight", -0.1), "jitsparse.env-node.flops-weight");
    assertMessage(
        Map.of("flops-weight", Double.POSITIVE_INFINITY), "jitsparse.env-node.flops-weight");
  }

  @Test
  void anUnreasonableTrainerCountIsRefusedByMemory() {
    int max = TrainerSettings.maxTrainers(TrainerSettings.physicalLimitBytes());
    assertEquals(max, with(Map.of("trainers", max)).trainers());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> with(Map.of("trainers", max + 1)));
    assertTrue(e.getMessage().startsWith("jitsparse.env-node.trainers: "), e.getMessage());
    assertTrue(e.getMessage().contains("at most " + max), e.getMessage());
    // the launcher's default JITSPARSE_PHYSICAL of 8 GiB: (8192 - 420) MB / 85 MB
    assertEquals(91, TrainerSettings.maxTrainers(8L << 30));
    assertEquals(1, TrainerSettings.maxTrainers(0));
  }

  @Test
  void theSummaryOutboxIsBoundedAndItsBoundValidated() {
    assertEquals(1024, with(Map.of()).maxPendingSummaries());
    assertMessage(Map.of("max-pending-summaries", 0), "jitsparse.env-node.max-pending-summaries");
    assertMessage(
        Map.of("max-pending-summaries", TrainerSettings.MAX_PENDING_SUMMARIES + 1),
        "jitsparse.env-node.max-pending-summaries");
  }

  @Test
  void episodeSeedsDifferByTrainerAndEpisode() {
    TrainerSettings s = with(Map.of());
    assertTrue(s.episodeSeed("env-a-0", 0) != s.episodeSeed("env-a-1", 0));
    assertTrue(s.episodeSeed("env-a-0", 0) != s.episodeSeed("env-a-0", 1));
    assertEquals(s.episodeSeed("env-a-3", 7), with(Map.of()).episodeSeed("env-a-3", 7));
    assertTrue(s.episodeSeed("env-a-0", 0) != with(Map.of("seed", 2)).episodeSeed("env-a-0", 0));
  }

  @Test
  void podsWithTheSameSeedButOtherNamesTrainOtherEpisodes() {
    // two env-node pods of one Deployment: the same settings (--seed 1), node names from their
    // pod names, trainer ids <node>-<index>
    TrainerSettings s = with(Map.of("seed", 1));
    Set<Long> first = new HashSet<>();
    for (String node : List.of("jitsparse-env-node-7d9f-abcde", "jitsparse-env-node-7d9f-fghij")) {
      for (int i = 0; i < 2; i++) {
        first.add(s.episodeSeed(node + "-" + i, 0));
      }
    }
    assertEquals(4, first.size(), "first-episode seeds of 2 pods x 2 trainers: " + first);
    // the seed on main for trainer 0 of every node started with --seed 1
    assertFalse(first.contains(7258340960826406041L), first.toString());
  }

  private static void assertMessage(Map<String, Object> overrides, String key) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> with(overrides));
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }
}
