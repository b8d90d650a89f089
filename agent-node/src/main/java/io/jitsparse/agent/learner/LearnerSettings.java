package io.jitsparse.agent.learner;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The learning part of the agent-node's settings, read from the same flat section {@code
 * jitsparse.agent-node} (every key a CLI flag; defaults and the reason for each in {@code
 * reference.conf} and docs/rl-design.md). Invalid values fail at start naming the key.
 *
 * @param hidden hidden layer widths of the Q-network
 * @param learningRate Adam's step size
 * @param huberDelta Huber loss threshold
 * @param batchSize transitions per learner update
 * @param targetUpdateInterval updates between target-network copies
 * @param publishInterval updates between published policy versions (P)
 * @param checkpointInterval updates between checkpoints (C)
 * @param checkpointKeep checkpoints kept on disk
 * @param samplesPerInsert samples the learner may draw per transition inserted
 * @param minReplaySize transitions in the replay before learning starts
 * @param priorityAlpha priority exponent of the replay
 * @param priorityEpsilon added to |TD error| in priorities
 * @param betaStart importance-sampling exponent at the first update
 * @param betaUpdates updates over which beta anneals to 1
 * @param replayMemory bytes of the replay's payload arena
 * @param explorerPopulation N of Ape-X's epsilon spread
 * @param lagSeries explorers whose policy lag the replay reports as separate series, at most
 * @param epsilonBase largest exploration rate
 * @param epsilonAlpha spread exponent
 * @param seed seed of initialisation and sampling
 * @param out output folder (learning curve, checkpoints); empty writes nothing
 * @param warmStart a policy checkpoint to start from; empty starts fresh
 * @param budget how long the agent-node learns before stopping; zero is until stopped
 * @param journal the replay journal under {@code out}
 */
public record LearnerSettings(
    int[] hidden,
    double learningRate,
    double huberDelta,
    int batchSize,
    int targetUpdateInterval,
    int publishInterval,
    int checkpointInterval,
    int checkpointKeep,
    double samplesPerInsert,
    int minReplaySize,
    double priorityAlpha,
    double priorityEpsilon,
    double betaStart,
    long betaUpdates,
    long replayMemory,
    int explorerPopulation,
    int lagSeries,
    double epsilonBase,
    double epsilonAlpha,
    long seed,
    String out,
    String warmStart,
    Duration budget,
    io.jitsparse.agent.replay.JournalSettings journal) {

  private static final String PATH = "jitsparse.agent-node";

  /** Checks every value. */
  public LearnerSettings {
    if (hidden.length == 0) {
      throw bad("hidden-sizes", "needs at least one hidden layer");
    }
    for (int h : hidden) {
      positive("hidden-sizes", h);
    }
    if (!(learningRate > 0) || !(huberDelta > 0)) {
      throw bad("learning-rate", "learning-rate and huber-delta must be positive");
    }
    positive("learner-batch-size", batchSize);
    positive("target-update-interval", targetUpdateInterval);
    positive("publish-interval", publishInterval);
    positive("checkpoint-interval", checkpointInterval);
    positive("checkpoint-keep", checkpointKeep);
    if (!(samplesPerInsert > 0) || Double.isInfinite(samplesPerInsert)) {
      throw bad("samples-per-insert", samplesPerInsert + " must be positive");
    }
    if (minReplaySize < batchSize) {
      throw bad("min-replay-size", minReplaySize + " is below learner-batch-size " + batchSize);
    }
    if (!(priorityAlpha >= 0 && priorityAlpha <= 1)) {
      throw bad("priority-alpha", priorityAlpha + " is outside [0, 1]");
    }
    if (!(priorityEpsilon > 0)) {
      throw bad("priority-epsilon", priorityEpsilon + " must be positive");
    }
    if (!(betaStart >= 0 && betaStart <= 1)) {
      throw bad("beta-start", betaStart + " is outside [0, 1]");
    }
    positive("beta-updates", betaUpdates);
    positive("replay-memory", replayMemory);
    if (replayMemory / Float.BYTES > Integer.MAX_VALUE) {
      throw bad("replay-memory", replayMemory + " bytes exceeds the arena's 8 GiB limit");
    }
    positive("explorer-population", explorerPopulation);
    positive("lag-series", lagSeries);
    if (!(epsilonBase >= 0 && epsilonBase <= 1) || !(epsilonAlpha >= 0)) {
      throw bad("epsilon-base", "epsilon-base must be in [0, 1] and epsilon-alpha >= 0");
    }
    if (budget.isNegative()) {
      throw bad("budget", budget + " is negative");
    }
    if (budget.compareTo(MAX_BUDGET) > 0) {
      // timers and progress lines count milliseconds: far beyond any run, refuse rather than
      // overflow
      throw bad("budget", budget + " is longer than " + MAX_BUDGET.toDays() + " days");
    }
  }

  /** The warm-start checkpoint a {@code policy} value names (a path, a shipped name or none). */
  private static String warmStart(String value) {
    try {
      return io.jitsparse.agent.policy.ShippedPolicies.resolve(value)
          .map(Path::toString)
          .orElse("");
    } catch (IllegalArgumentException e) {
      throw bad("policy", e.getMessage());
    }
  }

  /** Reads the learning keys of {@code c}, the {@code jitsparse.agent-node} section. */
  public static LearnerSettings read(Config c) {
    List<Integer> hidden = c.getIntList("hidden-sizes");
    return new LearnerSettings(
        hidden.stream().mapToInt(Integer::intValue).toArray(),
        c.getDouble("learning-rate"),
        c.getDouble("huber-delta"),
        c.getInt("learner-batch-size"),
        c.getInt("target-update-interval"),
        c.getInt("publish-interval"),
        c.getInt("checkpoint-interval"),
        c.getInt("checkpoint-keep"),
        c.getDouble("samples-per-insert"),
        c.getInt("min-replay-size"),
        c.getDouble("priority-alpha"),
        c.getDouble("priority-epsilon"),
        c.getDouble("beta-start"),
        c.getLong("beta-updates"),
        c.getBytes("replay-memory"),
        c.getInt("explorer-population"),
        c.getInt("lag-series"),
        c.getDouble("epsilon-base"),
        c.getDouble("epsilon-alpha"),
        c.getLong("agent-seed"),
        c.getString("out").trim(),
        warmStart(c.getString("policy")),
        budget(c),
        io.jitsparse.agent.replay.JournalSettings.read(c));
  }

  /** The longest learning budget accepted. */
  public static final Duration MAX_BUDGET = Duration.ofDays(3650);

  /** Plain digits, which HOCON would read as milliseconds. */
  private static final java.util.regex.Pattern NO_UNIT =
      java.util.regex.Pattern.compile("\\s*[0-9]+(\\.[0-9]+)?\\s*");

  /**
   * The learning budget: a duration with its unit. A bare number (which HOCON reads as
   * milliseconds, so {@code --budget 30} would end learning at once) and a duration too long to
   * represent are refused naming the key.
   */
  private static Duration budget(Config c) {
    Object raw = c.getValue("budget").unwrapped();
    if (raw instanceof Number || NO_UNIT.matcher(String.valueOf(raw)).matches()) {
      throw bad("budget", raw + " has no unit; give one, for example 30s, 30m or 2h (0s: none)");
    }
    try {
      Duration budget = c.getDuration("budget");
      if (budget.compareTo(MAX_BUDGET) > 0) {
        // named as given: past the range of a Duration it would read as a clamped PT2562047H...
        throw bad("budget", raw + " is longer than " + MAX_BUDGET.toDays() + " days");
      }
      return budget;
    } catch (ArithmeticException e) {
      throw bad("budget", raw + " is longer than " + MAX_BUDGET.toDays() + " days");
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(
          "budget",
          raw
              + " is not a duration: give a number and a unit (ns, us, ms, s, m, h, d), for"
              + " example 30m");
    }
  }

  /** The Q-learner's configuration. */
  public QLearner.Config qLearner() {
    return new QLearner.Config(hidden, learningRate, huberDelta, targetUpdateInterval, seed);
  }

  /** Where checkpoints go, when an output folder is set. */
  public java.util.Optional<Path> checkpointDir() {
    return out.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(Path.of(out, "checkpoints"));
  }

  /**
   * Reads the warm-start policy once, so that a wrong {@code --policy} stops a command at start
   * with a message naming the file, instead of a learner that quietly learns from scratch.
   *
   * @throws IllegalArgumentException when {@code policy} is set and is not a readable checkpoint
   */
  public void checkWarmStart() {
    if (warmStart.isEmpty()) {
      return;
    }
    try {
      io.jitsparse.agent.policy.GreedyPolicy.load(Path.of(warmStart));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw bad("policy", e.getMessage());
    }
  }

  /** Floats of the replay's payload arena. */
  public int arenaFloats() {
    return (int) (replayMemory / Float.BYTES);
  }

  private static void positive(String key, long v) {
    if (v <= 0) {
      throw bad(key, v + " must be positive");
    }
  }

  private static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException(PATH + "." + key + ": " + why);
  }
}
