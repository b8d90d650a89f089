package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.Observation;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TrainerMetersTest {

  private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void theLiveScheduleIsOneGaugePerLayerThatFollowsStepsAndBoundaries() {
    TrainerMeters m = new TrainerMeters(registry, "t-0", "lenet5-caffe", 0.1);
    m.layers(3);
    m.layers(3); // a second episode registers nothing new
    m.stepped(step(new double[] {1, 1, 1}, 2.3, 0.1), 64);
    m.boundary(new double[] {0.5, 1, 1.0}, observation(0.12, 0.8));
    m.stepped(step(new double[] {0.5, 1, 1}, 2.1, 0.2), 64);
    m.boundary(new double[] {0.5, 0.25, 2.0 / 3}, observation(0.3, 0.5));

    String text = registry.scrape();
    assertEquals(0.5, value(text, "jitsparse_trainer_layer_density", "layer=\"00\""));
    assertEquals(0.25, value(text, "jitsparse_trainer_layer_density", "layer=\"01\""));
    assertEquals(2.0 / 3, value(text, "jitsparse_trainer_layer_density", "layer=\"02\""), 1e-12);
    assertEquals(3, count(text, "jitsparse_trainer_layer_density"), "one series per layer");
    assertEquals(0.5, value(text, "jitsparse_trainer_density", ""));
    assertEquals(0.3, value(text, "jitsparse_trainer_validation_accuracy", ""));
    assertEquals(2.1, value(text, "jitsparse_trainer_loss", ""));
    assertEquals(0.2, value(text, "jitsparse_trainer_train_accuracy", ""));
    assertEquals(128.0, value(text, "jitsparse_trainer_samples_total", ""));
    assertEquals(2.0, value(text, "jitsparse_trainer_steps_total", ""));
    assertEquals(0.1, value(text, "jitsparse_trainer_target_density", ""));
    // boundary 1: layer 0 pruned, 1 and 2 kept; boundary 2: 1 and 2 pruned, 0 kept
    assertEquals(3.0, value(text, "jitsparse_trainer_layer_moves_total", "kind=\"prune\""));
    assertEquals(3.0, value(text, "jitsparse_trainer_layer_moves_total", "kind=\"keep\""));
    assertEquals(0.0, value(text, "jitsparse_trainer_layer_moves_total", "kind=\"grow\""));
  }

  @Test
  void rareEventsExistAtZeroBeforeTheyHappen() {
    new TrainerMeters(registry, "t-0", "lenet5-caffe", 0.1);
    String text = registry.scrape();
    for (String name :
        List.of(
            "jitsparse_trainer_observations_dropped_total",
            "jitsparse_trainer_summaries_dropped_total",
            "jitsparse_trainer_registrations_rejected_total",
            "jitsparse_trainer_fallback_decisions_total")) {
      assertEquals(0.0, value(text, name, ""), name);
    }
    assertEquals(0.0, value(text, "jitsparse_trainer_episodes_total", "outcome=\"aborted\""));
    assertEquals(0.0, value(text, "jitsparse_trainer_actions_total", "outcome=\"rejected\""));
    assertTrue(text.contains("# TYPE jitsparse_trainer_decision_latency_seconds histogram"));
  }

  @Test
  void episodesCountByOutcomeAndTheLastOneIsAGauge() {
    TrainerMeters m = new TrainerMeters(registry, "t-0", "lenet5-caffe", 0.1);
    m.episodeEnded(summary(false, 0.61, 0.4));
    m.episodeEnded(summary(false, 0.72, 0.5));
    m.episodeEnded(summary(true, 0.0, 0.0));
    String text = registry.scrape();
    assertEquals(2.0, value(text, "jitsparse_trainer_episodes_total", "outcome=\"completed\""));
    assertEquals(1.0, value(text, "jitsparse_trainer_episodes_total", "outcome=\"aborted\""));
    assertEquals(0.72, value(text, "jitsparse_trainer_last_episode_accuracy", ""));
    assertEquals(0.5, value(text, "jitsparse_trainer_last_episode_return", ""));
    String bucket = "jitsparse_trainer_episode_accuracy_percent_bucket";
    assertEquals(1.0, value(text, bucket, "le=\"65.0\""));
    assertEquals(2.0, value(text, bucket, "le=\"75.0\""));
    assertEquals(2.0, value(text, "jitsparse_trainer_episode_accuracy_percent_count", ""));
  }

  @Test
  void labelsAreTheFixedSetAndGaugesGoWhenTheTrainerStops() {
    TrainerMeters m = new TrainerMeters(registry, "t-0", "lenet5-caffe", 0.1);
    m.layers(4);
    Set<String> keys = new TreeSet<>();
    for (String line : registry.scrape().lines().toList()) {
      Matcher s = SAMPLE.matcher(line);
      if (s.matches() && s.group(1).startsWith("jitsparse_")) {
        for (String kv : s.group(2).split(",")) {
          keys.add(kv.substring(0, kv.indexOf('=')));
        }
      }
    }
    assertEquals(Set.of("trainer", "model", "layer", "outcome", "kind", "le"), keys);
    m.close();
    String after = registry.scrape();
    assertEquals(0, count(after, "jitsparse_trainer_layer_density"));
    assertEquals(0, count(after, "jitsparse_trainer_loss"));
    assertEquals(1, count(after, "jitsparse_trainer_steps_total"), "counters stay");
  }

  private static StepState step(double[] densities, double loss, double accuracy) {
    return new StepState(1, loss, accuracy, 0.1, densities, List.of(), List.of(), 1.0);
  }

  private static Observation observation(double validation, double density) {
    return Observation.newBuilder()
        .setValidationAccuracy(validation)
        .setGlobalDensity(density)
        .build();
  }

  private static EpisodeSummary summary(boolean aborted, double accuracy, double ret) {
    return EpisodeSummary.newBuilder()
        .setAborted(aborted)
        .setTestAccuracy(accuracy)
        .setReturn(ret)
        .build();
  }

  private static long count(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + "{")).count();
  }

  private static double value(String text, String name, String labelPart) {
    return text.lines()
        .map(SAMPLE::matcher)
        .filter(Matcher::matches)
        .filter(s -> s.group(1).equals(name) && s.group(2).contains(labelPart))
        .mapToDouble(s -> Double.parseDouble(s.group(3)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + "{" + labelPart + "} missing:\n" + text));
  }
}
