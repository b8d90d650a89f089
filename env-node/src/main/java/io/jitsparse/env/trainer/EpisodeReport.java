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
 * (the smoothed loss, the reward's previous validation accuracy, the return, the applied schedule)
 * so the actor only decides when to report. Free of Pekko; one instance per episode.
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
  private double previousValidation;
  private double episodeReturn;
  private long policyVersion;

  /**
   * @param staticLayers the network's static layer features, repeated in every observation
   * @param learningRate the learning rate before the first step
   */
  EpisodeReport(
      String trainerId,
      TrainerSettings s,
      long episodeIndex,
      List<LayerFeatures> staticLayers,
      double learningRate) {
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
   * The observation of a decision boundary, after the masks moved to {@code applied}. The reward is
   * the validation accuracy gained since the previous decision (0 at the first).
   */
  Observation decision(
      TrainingEpisode episode,
      long decision,
      long step,
      double validation,
      boolean done,
      double[] applied,
      long nowNanos) {
    decisionSteps.add(step);
    schedule.add(applied);
    double reward = decision == 0 ? 0 : validation - previousValidation;
    previousValidation = validation;
    episodeReturn += reward;
    return observation(episode, decision, step, validation, reward, done, applied, nowNanos);
  }

  /** After an abort: a done observation so the explorer closes its episode too. */
  Observation aborted(TrainingEpisode episode, long decision, long nowNanos) {
    double[] d = episode.densities();
    decisionSteps.add(episode.stepCount());
    schedule.add(d);
    return observation(
        episode, decision, episode.stepCount(), previousValidation, 0, true, d, nowNanos);
  }

  /** The episode's summary, for the journal and the agent. */
  EpisodeSummary summary(
      TrainingEpisode episode, String runId, boolean aborted, String reason, double testAccuracy) {
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
              .setMaskChurn(st.maskChurn()));
    }
    return o.setSentAtNanos(nowNanos).build();
  }

  /** Non-finite features (a diverged network) are reported as 0 so the observation stays valid. */
  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
