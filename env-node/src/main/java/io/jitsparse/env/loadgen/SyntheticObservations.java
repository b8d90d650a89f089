package io.jitsparse.env.loadgen;

import io.jitsparse.env.link.StaticLayerFeatures;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerSchedule;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.TrainerDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic observations of one simulated trainer, for a model's real prunable layers, without
 * training anything.
 *
 * <p>Within an episode of {@code D} decisions every layer's density falls on a cubic from dense to
 * its ERK share of the target (the handcrafted schedule's shape; small layers stay denser); the
 * loss decays and the validation accuracy rises along saturating curves, slightly lowered by
 * sparsity, with seeded noise; the reward is the accuracy gained since the previous decision, as
 * the real environment computes it. Each value depends only on (seed, episode, decision), so a
 * resent observation is identical to the first send and the reward of decision {@code d} is
 * consistent with the accuracy reported at {@code d - 1}.
 */
public final class SyntheticObservations {

  /** Batch size the FLOPs estimate assumes (the baselines' batch). */
  private static final int BATCH = 128;

  /** Forward + backward is about three forward passes (RigL's accounting). */
  private static final int TRAINING_PASSES = 3;

  private static final double INITIAL_LR = 0.01;
  private static final double LR_DECAY = 0.1;
  private static final double FIRST_DECAY_AT = 0.5;
  private static final double SECOND_DECAY_AT = 0.75;
  private static final double CHANCE_ACCURACY = 0.1;
  private static final double ACCURACY_GAIN = 0.8;
  private static final double SPARSITY_ACCURACY_COST = 0.04;
  private static final double ACCURACY_NOISE = 0.005;
  private static final double FINAL_LOSS = 0.3;
  private static final double LOSS_DROP = 2.0;
  private static final double LAYER_JITTER = 0.02;
  private static final double CHURN_FLOOR = 0.002;

  private final String trainerId;
  private final String node;
  private final String model;
  private final long seed;
  private final List<PrunableTensor> tensors;
  private final List<LayerFeatures> staticLayers;
  private final int decisions;
  private final long decisionSteps;
  private final double targetDensity;
  private final long totalSteps;
  private final long totalWeights;

  /** Per layer: ERK's relative density, scaled so that the size-weighted mean is 1. */
  private final double[] erkFactor;

  private final TrainerDescription description;

  /**
   * @param trainerId the trainer's id
   * @param node the node the trainer runs on
   * @param model the model's registry name
   * @param tensors the model's prunable tensors ({@link ModelShapes#of})
   * @param seed seed of the noise
   * @param episodeDecisions decisions per episode, at least 2
   * @param decisionSteps training steps between two decisions
   * @param targetDensity final global density
   */
  public SyntheticObservations(
      String trainerId,
      String node,
      String model,
      List<PrunableTensor> tensors,
      long seed,
      int episodeDecisions,
      long decisionSteps,
      double targetDensity) {
    if (tensors.isEmpty() || episodeDecisions < 2 || decisionSteps <= 0) {
      throw new IllegalArgumentException(
          "need layers, at least 2 decisions and positive decision steps");
    }
    this.trainerId = trainerId;
    this.node = node;
    this.model = model;
    this.seed = seed;
    this.tensors = List.copyOf(tensors);
    this.staticLayers = StaticLayerFeatures.of(this.tensors);
    this.decisions = episodeDecisions;
    this.decisionSteps = decisionSteps;
    this.targetDensity = targetDensity;
    this.totalSteps = (episodeDecisions - 1) * decisionSteps;
    this.totalWeights = tensors.stream().mapToLong(PrunableTensor::size).sum();
    this.erkFactor = erkFactors(this.tensors, totalWeights);
    this.description = describe();
  }

  /** What the trainer registers with: the static part of every layer's features. */
  public TrainerDescription description() {
    return description;
  }

  /** Number of prunable layers. */
  public int layers() {
    return tensors.size();
  }

  /** Decisions per episode; decision {@code episodeDecisions() - 1} is done. */
  public int episodeDecisions() {
    return decisions;
  }

  /**
   * The observation at {@code decision} of {@code episode}.
   *
   * @param sentAtNanos the trainer's clock at the send, echoed by the explorer
   */
  public Observation observation(long episode, int decision, long sentAtNanos) {
    Point p = point(episode, decision);
    double reward = decision == 0 ? 0 : p.accuracy - point(episode, decision - 1).accuracy;
    long step = decision * decisionSteps;
    Observation.Builder o =
        Observation.newBuilder()
            .setTrainerId(trainerId)
            .setEpisode(episode)
            .setDecision(decision)
            .setStep(step)
            .setTotalSteps(totalSteps)
            .setSmoothedLoss(p.loss)
            .setValidationAccuracy(p.accuracy)
            .setLearningRate(learningRate(progress(decision)))
            .setGlobalDensity(p.globalDensity)
            .setTargetDensity(targetDensity)
            .setTrainingFlops(trainingFlops(p.densities, step))
            .setReward(reward)
            .setDone(decision == decisions - 1)
            .setSentAtNanos(sentAtNanos);
    double[] previous = decision == 0 ? p.densities : point(episode, decision - 1).densities;
    SplittableRandom rng = rng(episode, decision, 1);
    double progress = progress(decision);
    for (int i = 0; i < tensors.size(); i++) {
      PrunableTensor t = tensors.get(i);
      double d = p.densities[i];
      // pruning removes small weights first, so the surviving magnitudes grow as density falls
      double mean = (0.5 + 0.5 * (1 - d)) / Math.sqrt(t.fanIn());
      double churn =
          decision == 0
              ? 0
              : Math.min(1, Math.abs(previous[i] - d) + CHURN_FLOOR * rng.nextDouble());
      o.addLayers(
          staticLayers.get(i).toBuilder()
              .setDensity(d)
              .setWeightMagnitudeMean(mean)
              .setWeightMagnitudeStd(0.6 * mean)
              .setGradientNorm(0.5 * Math.exp(-2 * progress) * (0.9 + 0.2 * rng.nextDouble()))
              .setMaskChurn(churn));
    }
    return o.build();
  }

  /** The summary of a finished {@code episode}, as the trainer sends it to its explorer. */
  public EpisodeSummary summary(String runId, long episode, long policyVersion) {
    Point last = point(episode, decisions - 1);
    EpisodeSummary.Builder s =
        EpisodeSummary.newBuilder()
            .setRunId(runId)
            .setTrainerId(trainerId)
            .setModel(model)
            .setSeed(seed)
            .setEpisode(episode)
            .setSteps(totalSteps)
            .setTestAccuracy(last.accuracy)
            .setGlobalDensity(last.globalDensity)
            .setTrainingFlops(trainingFlops(last.densities, totalSteps))
            .setReturn(last.accuracy - point(episode, 0).accuracy)
            .setPolicyVersion(policyVersion)
            .setTargetDensity(targetDensity);
    List<LayerSchedule.Builder> schedule = new ArrayList<>();
    for (int i = 0; i < tensors.size(); i++) {
      schedule.add(LayerSchedule.newBuilder().setIndex(i));
    }
    for (int d = 0; d < decisions; d++) {
      s.addDecisionSteps(d * decisionSteps);
      double[] densities = point(episode, d).densities;
      for (int i = 0; i < densities.length; i++) {
        schedule.get(i).addDensity(densities[i]);
      }
    }
    schedule.forEach(s::addSchedule);
    return s.build();
  }

  /** The state of the simulated network at one decision. */
  private record Point(double[] densities, double globalDensity, double loss, double accuracy) {}

  private Point point(long episode, int decision) {
    SplittableRandom rng = rng(episode, decision, 0);
    double progress = progress(decision);
    // every layer falls on a cubic from dense to its ERK share of the target (the fallback
    // schedule's shape), so the episode starts dense and ends at the target density
    double remaining = 1 - progress;
    double cubic = remaining * remaining * remaining;
    double[] densities = new double[tensors.size()];
    double kept = 0;
    for (int i = 0; i < densities.length; i++) {
      double jitter = 1 + LAYER_JITTER * (2 * rng.nextDouble() - 1);
      double end = clamp(targetDensity * erkFactor[i] * jitter);
      densities[i] = clamp(end + (1 - end) * cubic);
      kept += densities[i] * tensors.get(i).size();
    }
    double applied = clamp(kept / totalWeights);
    double learned = 1 - Math.exp(-5 * progress);
    double accuracy =
        clamp(
            CHANCE_ACCURACY
                + ACCURACY_GAIN * learned
                - SPARSITY_ACCURACY_COST * (1 - applied)
                + ACCURACY_NOISE * (2 * rng.nextDouble() - 1));
    double loss =
        FINAL_LOSS + LOSS_DROP * Math.exp(-4 * progress) * (0.95 + 0.1 * rng.nextDouble());
    return new Point(densities, applied, loss, accuracy);
  }

  private double progress(int decision) {
    return decision / (double) (decisions - 1);
  }

  private static double learningRate(double progress) {
    double lr = INITIAL_LR;
    if (progress >= FIRST_DECAY_AT) {
      lr *= LR_DECAY;
    }
    if (progress >= SECOND_DECAY_AT) {
      lr *= LR_DECAY;
    }
    return lr;
  }

  /** Training FLOPs so far, estimated at the current densities (an approximation: loadgen only). */
  private double trainingFlops(double[] densities, long step) {
    double perSample = 0;
    for (int i = 0; i < densities.length; i++) {
      perSample += tensors.get(i).denseForwardFlops() * densities[i];
    }
    return perSample * TRAINING_PASSES * BATCH * step;
  }

  /** An RNG that depends only on (seed, episode, decision, stream): resends are identical. */
  private SplittableRandom rng(long episode, int decision, int stream) {
    long mixed = seed;
    mixed = mixed * 0x9E3779B97F4A7C15L + episode;
    mixed = mixed * 0x9E3779B97F4A7C15L + decision;
    mixed = mixed * 0x9E3779B97F4A7C15L + stream;
    return new SplittableRandom(mixed);
  }

  private TrainerDescription describe() {
    TrainerDescription.Builder d =
        TrainerDescription.newBuilder()
            .setTrainerId(trainerId)
            .setNode(node)
            .setModel(model)
            .setSeed(seed)
            .setTargetDensity(targetDensity)
            .setEpisodeSteps(totalSteps)
            .setDecisionInterval(decisionSteps)
            .setSimulated(true);
    return d.addAllLayers(staticLayers).build();
  }

  /** ERK (Evci et al. 2020): density proportional to (fan-in + fan-out) / (fan-in * fan-out). */
  private static double[] erkFactors(List<PrunableTensor> tensors, long totalWeights) {
    double[] raw = new double[tensors.size()];
    double weighted = 0;
    for (int i = 0; i < raw.length; i++) {
      PrunableTensor t = tensors.get(i);
      raw[i] = (t.fanIn() + t.fanOut()) / (double) (t.fanIn() * t.fanOut());
      weighted += raw[i] * t.size();
    }
    double scale = totalWeights / weighted;
    for (int i = 0; i < raw.length; i++) {
      raw[i] *= scale;
    }
    return raw;
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
