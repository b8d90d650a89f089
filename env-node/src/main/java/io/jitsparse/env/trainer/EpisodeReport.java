package io.jitsparse.env.trainer;

import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerSchedule;
import io.jitsparse.protocol.v1.Observation;
import java.util.ArrayList;
import java.util.List;

/**
 * What one episode of a {@link Trainer} tells the agent: an {@link Observation} at every decision
 * and the {@link EpisodeSummary} at its end. It keeps what those need beyond the network itself
 * (the smoothed loss, the reward's previous validation accuracy and FLOPs, the return, the applied
 * schedule) so the actor only decides when to report. Free of Pekko; one instance per episode.
 *
 * <p><b>Reward.</b> The reward of decision {@code k > 0} prices accuracy against compute:
 *
 * <pre>
 *   r_k = (v_k - v_{k-1}) - w * (F_k - F_{k-1}) / F_dense
 * </pre>
 *
 * where {@code v_k} is the accuracy on the episode's fixed held-out validation batch after the
 * masks moved at decision {@code k}, {@code F_k} the engine's training FLOPs so far ({@link
 * io.jitsparse.env.flops.TrainingFlops}: the steps, and the dense-gradient passes of growth),
 * {@code F_dense} the FLOPs of training the same episode dense ({@code episode-steps} steps of the
 * batch size) and {@code w} is {@code flops-weight}; {@code r_0 = 0}. The return telescopes to
 * {@code v_T - v_0 - w * (F_T - F_0) / F_dense}, with {@code F_0 = 0} as nothing is trained before
 * the first decision. With the budget wall on (the default) the compute is already held to the
 * reference schedule's, so {@code w} defaults to 0 and the return is the accuracy the episode
 * gained, as in Just-in-Time Sparsity; {@code w > 0} prices compute for a run without the budget.
 */
final class EpisodeReport {

  /** Weight of the newest loss in the smoothed loss (an EMA over roughly the last 10 steps). */
  private static final double LOSS_EMA = 0.1;

  private final String trainerId;
  private final TrainerSettings s;
  private final long episodeIndex;
  private final List<LayerFeatures> staticLayers;
  private final List<Long> decisionSteps = new ArrayList<>();
  private final List<double[]> schedule = new ArrayList<>();
  private double smoothedLoss = Double.NaN;
  private double learningRate;
  private final double denseFlops;
  private double previousValidation;
  private double previousFlops;
  private double episodeReturn;
  private long policyVersion;

  /**
   * @param staticLayers the network's static layer features, repeated in every observation
   * @param learningRate the learning rate before the first step
   * @param denseFlops F_dense: the training FLOPs of the same episode trained dense (positive)
   */
  EpisodeReport(
      String trainerId,
      TrainerSettings s,
      long episodeIndex,
      List<LayerFeatures> staticLayers,
      double learningRate,
      double denseFlops) {
    if (!(denseFlops > 0)) {
      throw new IllegalArgumentException("dense episode FLOPs " + denseFlops + " must be positive");
    }
    this.denseFlops = denseFlops;
    this.trainerId = trainerId;
    this.s = s;
    this.episodeIndex = episodeIndex;
    this.staticLayers = staticLayers;
    this.learningRate = learningRate;
  }

  /** Takes one training step's loss and learning rate. */
  void step(StepState st) {
    smoothedLoss =
        Double.isNaN(smoothedLoss)
            ? st.loss()
            : (1 - LOSS_EMA) * smoothedLoss + LOSS_EMA * st.loss();
    learningRate = st.learningRate();
  }

  /** An action of this policy version was applied; the summary reports the newest. */
  void appliedPolicy(long version) {
    policyVersion = Math.max(policyVersion, version);
  }

  /**
   * What a controlled episode's observation says of its reference schedule and budget.
   *
   * @param referenceNext per layer, the reference's density at the next decision
   * @param logOffsets per layer, the log-offset applied at this decision
   * @param slack the budget's slack, as a share of the reference's whole-episode FLOPs
   */
  record Steering(double[] referenceNext, double[] logOffsets, double slack) {}

  /**
   * The observation of a decision boundary, after the masks moved to {@code applied}. The reward is
   * the class comment's {@code r_k} (0 at the first decision).
   *
   * @param steering the reference and budget view of a controlled episode, or null
   */
  Observation decision(
      TrainingEpisode episode,
      long decision,
      long step,
      double validation,
      boolean done,
      double[] applied,
      Steering steering,
      long nowNanos) {
    decisionSteps.add(step);
    schedule.add(applied);
    double flops = episode.trainingFlops();
    double reward =
        decision == 0
            ? 0
            : reward(
                validation - previousValidation,
                flops - previousFlops,
                denseFlops,
                s.flopsWeight());
    previousValidation = validation;
    previousFlops = flops;
    episodeReturn += reward;
    return observation(
        episode, decision, step, validation, reward, done, applied, steering, nowNanos);
  }

  /**
   * The reward of one decision interval: {@code validationGain - flopsWeight * flopsSpent /
   * denseFlops} (the class comment's {@code r_k}).
   *
   * @param validationGain {@code v_k - v_{k-1}}
   * @param flopsSpent {@code F_k - F_{k-1}}, the training FLOPs of the interval
   * @param denseFlops {@code F_dense}, the FLOPs of the whole episode trained dense
   * @param flopsWeight {@code w}, the price of a dense episode's compute in accuracy
   */
  static double reward(
      double validationGain, double flopsSpent, double denseFlops, double flopsWeight) {
    return validationGain - flopsWeight * flopsSpent / denseFlops;
  }

  /** After an abort: a done observation so the explorer closes its episode too. */
  Observation aborted(TrainingEpisode episode, long decision, long nowNanos) {
    double[] d = episode.densities();
    decisionSteps.add(episode.stepCount());
    schedule.add(d);
    return observation(
        episode, decision, episode.stepCount(), previousValidation, 0, true, d, null, nowNanos);
  }

  /** The episode's summary, for the journal and the agent. */
  EpisodeSummary summary(
      TrainingEpisode episode,
      String runId,
      boolean aborted,
      String reason,
      double testAccuracy,
      ReferenceSchedule reference) {
    EpisodeSummary.Builder b =
        EpisodeSummary.newBuilder()
            .setRunId(runId)
            .setTrainerId(trainerId)
            .setModel(s.model())
            .setSeed(episode.seed())
            .setEpisode(episodeIndex)
            .setAborted(aborted)
            .setAbortReason(reason)
            .setSteps(episode.stepCount())
            .setTestAccuracy(testAccuracy)
            .setGlobalDensity(episode.globalDensity())
            .setTargetDensity(s.density())
            .setTrainingFlops(episode.trainingFlops())
            .setInferenceFlops(episode.inferenceFlops())
            .setReferenceTrainingFlops(reference.totalFlops())
            .setReferenceInferenceFlops(reference.finalInferenceFlops())
            .setReturn(episodeReturn)
            .setPolicyVersion(policyVersion)
            .addAllDecisionSteps(decisionSteps);
    for (int i = 0; i < staticLayers.size(); i++) {
      LayerSchedule.Builder l = LayerSchedule.newBuilder().setIndex(i);
      for (double[] d : schedule) {
        l.addDensity(d[i]);
      }
      b.addSchedule(l);
    }
    return b.build();
  }

  private Observation observation(
      TrainingEpisode episode,
      long decision,
      long step,
      double validation,
      double reward,
      boolean done,
      double[] applied,
      Steering steering,
      long nowNanos) {
    Observation.Builder o =
        Observation.newBuilder()
            .setTrainerId(trainerId)
            .setEpisode(episodeIndex)
            .setDecision(decision)
            .setStep(step)
            .setTotalSteps(s.episodeSteps())
            .setSmoothedLoss(finite(Double.isNaN(smoothedLoss) ? 0 : smoothedLoss))
            .setValidationAccuracy(validation)
            .setLearningRate(learningRate)
            .setGlobalDensity(episode.globalDensity())
            .setTargetDensity(s.density())
            .setTrainingFlops(episode.trainingFlops())
            .setReward(finite(reward))
            .setDone(done);
    for (int i = 0; i < applied.length; i++) {
      LayerStatistics st = episode.statistics(i);
      o.addLayers(
          staticLayers.get(i).toBuilder()
              .setDensity(applied[i])
              .setWeightMagnitudeMean(finite(st.weightMagnitudeMean()))
              .setWeightMagnitudeStd(finite(st.weightMagnitudeStd()))
              .setGradientNorm(finite(st.gradientNorm()))
              .setMaskChurn(st.maskChurn())
              .setReferenceDensity(steering == null ? 0 : steering.referenceNext()[i])
              .setLogOffset(steering == null ? 0 : finite(steering.logOffsets()[i])));
    }
    if (steering != null) {
      o.setBudgetSlack(finite(steering.slack()));
    }
    return o.setSentAtNanos(nowNanos).build();
  }

  /** Non-finite features (a diverged network) are reported as 0 so the observation stays valid. */
  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
