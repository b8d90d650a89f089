package io.jitsparse.env.trainer;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.jitsparse.env.density.DensityDistributions;
import io.jitsparse.env.growth.GrowCriteria;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.pruning.PruneCriteria;
import io.jitsparse.env.pruning.SensitivityPruner;
import io.jitsparse.env.schedule.DensitySchedules;
import io.jitsparse.env.schedule.StepSpec;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.TrainerDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The env-node's trainer settings, read once at start from the flat section {@code
 * jitsparse.env-node} (defaults and one comment per key in env-node's {@code reference.conf}; the
 * CLI turns every key into a flag). Engine knobs that are not the trainer's own (batch size,
 * optimiser, learning rate and its decay, data home) are not duplicated: they come from {@code
 * jitsparse.baseline}, overlaid with the trainer's model, seed and criteria through {@link
 * BaselineSettings#withOverrides}. Every value is validated here, and an invalid one fails with an
 * {@link IllegalArgumentException} naming its key.
 *
 * @param trainers trainers on this node
 * @param model model name
 * @param width resnet18's channel multiplier
 * @param density target global density every episode ends at
 * @param startDensity global density at the start of every episode
 * @param episodes episodes per trainer (0 = until stopped)
 * @param episodeSteps training steps per episode
 * @param decisionInterval steps between decisions ({@code decision-interval}, steps or a share of
 *     the episode, resolved against {@code episode-steps})
 * @param prune prune criterion
 * @param grow grow criterion
 * @param seed base seed
 * @param validationSamples size of the fixed validation batch
 * @param testSamples test samples evaluated per episode (0 = all)
 * @param trainSamples training samples used (0 = all)
 * @param fallbackSchedule reference or hold
 * @param budget {@code reference}: training and inference FLOPs held to the reference schedule's;
 *     {@code none}
 * @param referenceSchedule the reference's curve (GMP's schedule names)
 * @param referenceDistribution the reference's layer densities (a distribution name)
 * @param referenceEnd where the reference reaches the target (steps or a share of the episode)
 * @param maskInterval steps between the reference's mask updates (steps or a share)
 * @param minLayerDensity lowest density of any layer
 * @param flopsWeight weight of the training FLOPs in the reward ({@link EpisodeReport})
 * @param out output folder
 * @param runId run id, empty to take the agent's
 * @param registerRetry time between registration resends
 * @param ackTimeout time after which an observation is resent
 * @param agentTimeout time without acknowledgement before the fallback schedule takes over
 * @param maxUnackedObservations unacknowledged observations kept
 * @param maxPendingSummaries unacknowledged episode summaries kept
 * @param stepStateBatch steps per StepStateBatch
 * @param root the root config the engine's {@link BaselineSettings} are derived from
 */
public record TrainerSettings(
    int trainers,
    String model,
    double width,
    double density,
    double startDensity,
    long episodes,
    long episodeSteps,
    long decisionInterval,
    String prune,
    String grow,
    long seed,
    int validationSamples,
    int testSamples,
    int trainSamples,
    String fallbackSchedule,
    String budget,
    String referenceSchedule,
    String referenceDistribution,
    StepSpec referenceEnd,
    StepSpec maskInterval,
    double minLayerDensity,
    double flopsWeight,
    Path out,
    String runId,
    Duration registerRetry,
    Duration ackTimeout,
    Duration agentTimeout,
    int maxUnackedObservations,
    int maxPendingSummaries,
    int stepStateBatch,
    Config root) {

  /** The config section. */
  public static final String PATH = "jitsparse.env-node";

  /**
   * The most episode summaries one trainer may be configured to keep for an absent agent. A summary
   * holds a density per layer per decision (resnet18's 21 layers at the default 10 decisions: under
   * 4 KB), so this caps an outbox near 256 MB there; the default in reference.conf, 1024, keeps
   * about 4 MB.
   */
  public static final int MAX_PENDING_SUMMARIES = 65_536;

  /**
   * Resident memory of ND4J's native start-up in a JVM, and of each lenet5-caffe trainer beyond it
   * (docs/results.md, "Memory per trainer"): what bounds {@code trainers}. CPU does not: trainers
   * share the trainer dispatcher's threads and only run slower.
   */
  static final long STARTUP_BYTES = 420L << 20;

  /** See {@link #STARTUP_BYTES}. */
  static final long BYTES_PER_TRAINER = 85L << 20;

  private static final int MIB_SHIFT = 20;

  /** The most trainers whose memory fits in {@code physicalBytes} (at least one). */
  public static int maxTrainers(long physicalBytes) {
    long fit = (physicalBytes - STARTUP_BYTES) / BYTES_PER_TRAINER;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fit));
  }

  /**
   * The JVM's limit on resident memory as JavaCPP enforces it ({@code maxphysicalbytes}; the
   * launcher sets it from {@code JITSPARSE_PHYSICAL}), or the machine's memory when there is none.
   */
  static long physicalLimitBytes() {
    long limit = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
    if (limit > 0) {
      return limit;
    }
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /** Dispatcher the trainers run on (a fixed pool: DL4J steps block their thread). */
  public static final String TRAINER_DISPATCHER = "jitsparse.trainer-dispatcher";

  /** Dispatcher of blocking file I/O (the episode journal). */
  public static final String IO_DISPATCHER = "jitsparse.io-dispatcher";

  /** Accepted fallback schedules: the reference schedule, or hold the offsets in effect. */
  public static final List<String> FALLBACK_SCHEDULES = List.of("reference", "hold");

  /** Accepted budgets. */
  public static final List<String> BUDGETS = List.of("reference", "none");

  /** Whether training and inference FLOPs are held to the reference schedule's. */
  public boolean budgeted() {
    return budget.equals("reference");
  }

  /** Reads and validates {@code jitsparse.env-node} of {@code root} (the resolved root config). */
  public static TrainerSettings create(Config root) {
    Config c = root.getConfig(PATH);
    // Checked before decision-interval resolves against it: a negative episode-steps was blamed on
    // decision-interval ("total steps must be >= 0", found by SettingsFuzzTest).
    long episodeSteps = read(c, "episode-steps", () -> c.getLong("episode-steps"));
    if (episodeSteps < 1) {
      fail("episode-steps", episodeSteps, ">= 1");
    }
    TrainerSettings s =
        new TrainerSettings(
            read(c, "trainers", () -> c.getInt("trainers")),
            read(c, "model", () -> c.getString("model")),
            read(c, "width", () -> c.getDouble("width")),
            read(c, "density", () -> c.getDouble("density")),
            read(c, "start-density", () -> c.getDouble("start-density")),
            read(c, "episodes", () -> c.getLong("episodes")),
            episodeSteps,
            read(
                c,
                "decision-interval",
                () ->
                    Math.max(
                        1, StepSpec.parse(c.getString("decision-interval")).resolve(episodeSteps))),
            read(c, "prune", () -> c.getString("prune")),
            read(c, "grow", () -> c.getString("grow")),
            read(c, "seed", () -> c.getLong("seed")),
            read(c, "validation-samples", () -> c.getInt("validation-samples")),
            read(c, "test-samples", () -> c.getInt("test-samples")),
            read(c, "train-samples", () -> c.getInt("train-samples")),
            read(c, "fallback-schedule", () -> c.getString("fallback-schedule")),
            read(c, "compute-budget", () -> c.getString("compute-budget")),
            read(c, "reference-schedule", () -> c.getString("reference-schedule")),
            read(c, "reference-distribution", () -> c.getString("reference-distribution")),
            read(c, "reference-end", () -> StepSpec.parse(c.getString("reference-end"))),
            read(c, "mask-interval", () -> StepSpec.parse(c.getString("mask-interval"))),
            read(c, "min-layer-density", () -> c.getDouble("min-layer-density")),
            read(c, "flops-weight", () -> c.getDouble("flops-weight")),
            read(c, "out", () -> Path.of(c.getString("out"))),
            read(c, "run-id", () -> c.getString("run-id")),
            read(c, "register-retry", () -> c.getDuration("register-retry")),
            read(c, "ack-timeout", () -> c.getDuration("ack-timeout")),
            read(c, "agent-timeout", () -> c.getDuration("agent-timeout")),
            read(c, "max-unacked-observations", () -> c.getInt("max-unacked-observations")),
            read(c, "max-pending-summaries", () -> c.getInt("max-pending-summaries")),
            read(c, "step-state-batch", () -> c.getInt("step-state-batch")),
            root);
    s.validate();
    return s;
  }

  private interface Reader<T> {
    T read();
  }

  private static <T> T read(Config c, String key, Reader<T> reader) {
    try {
      return reader.read();
    } catch (ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException(PATH + "." + key + ": " + e.getMessage(), e);
    }
  }

  private void validate() {
    if (trainers < 1) {
      fail("trainers", trainers, ">= 1");
    }
    long physical = physicalLimitBytes();
    if (trainers > maxTrainers(physical)) {
      fail(
          "trainers",
          trainers,
          "at most "
              + maxTrainers(physical)
              + ": ND4J's start-up ("
              + (STARTUP_BYTES >> MIB_SHIFT)
              + " MB) and about "
              + (BYTES_PER_TRAINER >> MIB_SHIFT)
              + " MB per trainer must fit in this JVM's native memory limit of "
              + (physical >> MIB_SHIFT)
              + " MB (JITSPARSE_PHYSICAL, org.bytedeco.javacpp.maxphysicalbytes);"
              + " start more env-nodes instead");
    }
    if (!ModelRegistry.names().contains(model)) {
      fail("model", model, "one of " + String.join(", ", ModelRegistry.names()));
    }
    if (!(width > 0 && width <= 1)) {
      fail("width", width, "in (0, 1]");
    }
    if (!(density > 0 && density <= 1)) {
      fail("density", density, "in (0, 1]");
    }
    if (!(startDensity > 0 && startDensity <= 1)) {
      fail("start-density", startDensity, "in (0, 1]");
    }
    if (episodes < 0) {
      fail("episodes", episodes, ">= 0 (0 = until stopped)");
    }
    if (episodeSteps < 1) {
      fail("episode-steps", episodeSteps, ">= 1");
    }
    if (decisionInterval < 1 || decisionInterval > episodeSteps) {
      fail("decision-interval", decisionInterval, "in [1, episode-steps " + episodeSteps + "]");
    }
    try {
      PruneCriteria.byName(prune, 1.0, SensitivityPruner.DEFAULT_EPSILON);
    } catch (IllegalArgumentException e) {
      fail("prune", prune, "a prune criterion (" + e.getMessage() + ")");
    }
    try {
      GrowCriteria.byName(grow);
    } catch (IllegalArgumentException e) {
      fail("grow", grow, "a grow criterion (" + e.getMessage() + ")");
    }
    if (validationSamples < 1) {
      fail("validation-samples", validationSamples, ">= 1");
    }
    if (testSamples < 0) {
      fail("test-samples", testSamples, ">= 0 (0 = all)");
    }
    if (trainSamples < 0) {
      fail("train-samples", trainSamples, ">= 0 (0 = all)");
    }
    if (!FALLBACK_SCHEDULES.contains(fallbackSchedule)) {
      fail(
          "fallback-schedule", fallbackSchedule, "one of " + String.join(", ", FALLBACK_SCHEDULES));
    }
    if (!BUDGETS.contains(budget)) {
      fail("compute-budget", budget, "one of " + String.join(", ", BUDGETS));
    }
    if (!DensitySchedules.names().contains(referenceSchedule)) {
      fail(
          "reference-schedule",
          referenceSchedule,
          "one of " + String.join(", ", DensitySchedules.names()));
    }
    if (!DensityDistributions.names().contains(referenceDistribution)) {
      fail(
          "reference-distribution",
          referenceDistribution,
          "one of " + String.join(", ", DensityDistributions.names()));
    }
    if (!(minLayerDensity > 0 && minLayerDensity <= density)) {
      fail("min-layer-density", minLayerDensity, "in (0, density " + density + "]");
    }
    if (!(flopsWeight >= 0) || Double.isInfinite(flopsWeight)) {
      fail("flops-weight", flopsWeight, "a finite number >= 0");
    }
    if (!runId.isEmpty()
        && !io.jitsparse.protocol.MessageChecks.TRAINER_ID.matcher(runId).matches()) {
      fail("run-id", runId, "empty or [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    }
    positive("register-retry", registerRetry);
    positive("ack-timeout", ackTimeout);
    positive("agent-timeout", agentTimeout);
    if (maxUnackedObservations < 1) {
      fail("max-unacked-observations", maxUnackedObservations, ">= 1");
    }
    if (maxPendingSummaries < 1 || maxPendingSummaries > MAX_PENDING_SUMMARIES) {
      fail("max-pending-summaries", maxPendingSummaries, "in [1, " + MAX_PENDING_SUMMARIES + "]");
    }
    if (stepStateBatch < 1) {
      fail("step-state-batch", stepStateBatch, ">= 1");
    }
    try {
      engine(seed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          PATH
              + ": the engine settings derived from jitsparse.baseline are invalid: "
              + e.getMessage(),
          e);
    }
  }

  private static void positive(String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      fail(key, d, "a positive duration");
    }
  }

  private static void fail(String key, Object value, String expected) {
    throw new IllegalArgumentException(
        PATH + "." + key + ": " + value + " is invalid, expected " + expected);
  }

  /**
   * The engine settings of one controlled episode: {@code jitsparse.baseline} with this trainer's
   * model, criteria and sample limit, the episode's seed, and the reference schedule's method
   * ({@link #referenceKeys()}), which the episode's {@link BudgetWall} steers.
   */
  public BaselineSettings engine(long episodeSeed) {
    Map<String, Object> o = engineKeys(episodeSeed);
    o.putAll(referenceKeys());
    return BaselineSettings.withOverrides(root, o);
  }

  /**
   * The {@code jitsparse.baseline} keys of the reference schedule: GMP with the reference's curve
   * and layer distribution from {@code start-density} to the target at {@code reference-end},
   * pruning by the trainer's criterion every {@code mask-interval}. A controlled episode runs this
   * method, steered by the offsets its decisions apply; evaluation's {@code gmp-cubic-erk} is the
   * same keys unsteered.
   */
  public Map<String, Object> referenceKeys() {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("method", "gmp");
    k.put("schedule", referenceSchedule);
    k.put("distribution", referenceDistribution);
    k.put("global-pruning", false);
    k.put("gmp-initial-density", startDensity);
    k.put("gmp-start", "0%");
    k.put("gmp-end", referenceEnd.toString());
    k.put("delta-t", maskInterval.toString());
    return k;
  }

  /**
   * The engine settings of an episode whose masks the engine's own sparsity method moves (the
   * handcrafted baselines an evaluation compares with the policy): the keys of {@link
   * #engine(long)} with the density at the target, then {@code method}'s keys of {@code
   * jitsparse.baseline} (method, schedule, delta-t, ...) on top. Everything else (model, seed,
   * sample limit, and from {@code jitsparse.baseline} the batch size, optimiser and learning-rate
   * schedule) is the trainer's, so such an episode differs from a controlled one only in who moves
   * the masks.
   *
   * @throws IllegalArgumentException naming the key when the result is invalid
   */
  public BaselineSettings engine(long episodeSeed, Map<String, ?> method) {
    Map<String, Object> o = engineKeys(episodeSeed);
    o.putAll(method);
    return BaselineSettings.withOverrides(root, o);
  }

  private Map<String, Object> engineKeys(long episodeSeed) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("model", model);
    o.put("width", width);
    // every method's keys (the reference's or a baseline's) set "method" over this
    o.put("method", "static");
    o.put("density", density);
    o.put("prune", prune);
    o.put("grow", grow);
    o.put("seed", episodeSeed);
    o.put("train-samples", trainSamples);
    return o;
  }

  /**
   * The seed of episode {@code episode} of trainer {@code trainerId}: a SplitMix64 mix of the base
   * seed, a 64-bit FNV-1a hash of the trainer's cluster-unique id ({@code <node>-<index>}; the node
   * name is the pod name on Kubernetes) and the episode. Trainers of nodes started with the same
   * {@code --seed} (every pod of a Deployment) therefore train different episodes without per-node
   * settings, neighbouring trainers and episodes get unrelated streams, and every episode is
   * reproducible: {@code episodes.jsonl} records its trainer, episode and this seed.
   */
  public long episodeSeed(String trainerId, long episode) {
    long id = 0xCBF29CE484222325L;
    for (byte b : trainerId.getBytes(StandardCharsets.UTF_8)) {
      id = (id ^ (b & 0xFF)) * 0x100000001B3L;
    }
    long z = seed * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L + episode;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) & Long.MAX_VALUE;
  }

  /** Number of decisions per episode including the final one (at the last step). */
  public long decisionsPerEpisode() {
    return (episodeSteps + decisionInterval - 1) / decisionInterval + 1;
  }

  /**
   * What a trainer with these settings registers with (docs/cluster.md, flow 1).
   *
   * @param trainerId the trainer's cluster-unique id
   * @param node the (sanitized) node name
   * @param layers the static features of the model's prunable layers
   */
  public TrainerDescription description(String trainerId, String node, List<LayerFeatures> layers) {
    return TrainerDescription.newBuilder()
        .setTrainerId(trainerId)
        .setNode(node)
        .setModel(model())
        .setSeed(seed())
        .setTargetDensity(density())
        .setEpisodeSteps(episodeSteps())
        .setDecisionInterval(decisionInterval())
        .addAllLayers(layers)
        .build();
  }
}
