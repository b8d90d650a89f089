package io.jitsparse.env.loadgen;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.protocol.MessageChecks;
import java.time.Duration;
import java.util.List;

/**
 * The settings of {@code jitsparse loadgen}, read once from the flat section {@code
 * jitsparse.loadgen} (defaults and one help line per key in env-node's {@code reference.conf}).
 *
 * @param trainers simulated trainers to run
 * @param interval time between two decisions of one trainer
 * @param duration length of the measured window
 * @param warmup time from spawning the trainers to the start of the window
 * @param models models whose layer shapes the trainers describe, assigned round-robin
 * @param width channel multiplier of resnet18
 * @param episodeDecisions decisions per simulated episode (the last one is done)
 * @param decisionSteps training steps a trainer pretends to run between two decisions
 * @param targetDensity final global density of every episode
 * @param ackTimeout resend period of unacknowledged observations, registrations and summaries
 * @param maxUnackedObservations observation window of one trainer (oldest dropped when full)
 * @param maxPendingSummaries episode-summary outbox of one trainer (oldest dropped when full)
 * @param nodeName prefix of the trainer ids
 * @param seed seed of the synthetic observations
 */
public record LoadgenSettings(
    int trainers,
    Duration interval,
    Duration duration,
    Duration warmup,
    List<String> models,
    double width,
    int episodeDecisions,
    long decisionSteps,
    double targetDensity,
    Duration ackTimeout,
    int maxUnackedObservations,
    int maxPendingSummaries,
    String nodeName,
    long seed) {

  /** Path of the section in the configuration. */
  public static final String PATH = "jitsparse.loadgen";

  /** Validates every field; the message of the exception names the offending key. */
  public LoadgenSettings {
    models = List.copyOf(models);
    positive("trainers", trainers);
    positive("interval", interval);
    positive("duration", duration);
    if (warmup.isNegative()) {
      throw invalid("warmup", "must not be negative, got " + warmup);
    }
    if (models.isEmpty()) {
      throw invalid("models", "names no model");
    }
    for (String m : models) {
      if (!ModelRegistry.names().contains(m)) {
        throw invalid(
            "models",
            "unknown model '" + m + "'; known: " + String.join(", ", ModelRegistry.names()));
      }
    }
    if (!(width > 0 && width <= 1)) {
      throw invalid("width", "must be in (0, 1], got " + width);
    }
    // one decision makes no transition: an episode needs a step and its successor
    if (episodeDecisions < 2) {
      throw invalid("episode-decisions", "must be at least 2, got " + episodeDecisions);
    }
    positive("decision-steps", decisionSteps);
    if (!(targetDensity >= 0 && targetDensity <= 1)) {
      throw invalid("target-density", "must be in [0, 1], got " + targetDensity);
    }
    positive("ack-timeout", ackTimeout);
    positive("max-unacked-observations", maxUnackedObservations);
    positive("max-pending-summaries", maxPendingSummaries);
    // the ids are "<node-name>-sim-<i>" and must pass the registry's check
    if (!MessageChecks.TRAINER_ID.matcher(nodeName + "-sim-0").matches()) {
      throw invalid("node-name", "'" + nodeName + "' does not make a valid trainer id");
    }
  }

  /**
   * Reads {@link #PATH} of {@code config}.
   *
   * @throws IllegalArgumentException naming the key whose value is missing, malformed or out of
   *     range
   */
  public static LoadgenSettings create(Config config) {
    Config c = config.getConfig(PATH);
    try {
      return new LoadgenSettings(
          c.getInt("trainers"),
          c.getDuration("interval"),
          c.getDuration("duration"),
          c.getDuration("warmup"),
          models(c),
          c.getDouble("width"),
          c.getInt("episode-decisions"),
          c.getLong("decision-steps"),
          c.getDouble("target-density"),
          c.getDuration("ack-timeout"),
          c.getInt("max-unacked-observations"),
          c.getInt("max-pending-summaries"),
          c.getString("node-name"),
          c.getLong("seed"));
    } catch (ConfigException e) {
      // Typesafe's message already names the key (with its origin); keep it, in our exception type
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The id of simulated trainer {@code i}. */
  public String trainerId(int i) {
    return nodeName + "-sim-" + i;
  }

  /** The model of simulated trainer {@code i}: the models alternate. */
  public String model(int i) {
    return models.get(i % models.size());
  }

  /** A list from HOCON, or a comma-separated string as a command-line flag gives it. */
  private static List<String> models(Config c) {
    if (c.getValue("models").valueType() == com.typesafe.config.ConfigValueType.STRING) {
      return List.of(c.getString("models").split("\\s*,\\s*"));
    }
    return c.getStringList("models");
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw invalid(key, "must be positive, got " + value);
    }
  }

  private static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw invalid(key, "must be positive, got " + value);
    }
  }

  private static IllegalArgumentException invalid(String key, String problem) {
    return new IllegalArgumentException(PATH + "." + key + " " + problem);
  }
}
