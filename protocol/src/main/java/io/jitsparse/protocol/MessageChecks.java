package io.jitsparse.protocol;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Range checks of incoming wire messages, shared by both sides. Each returns the reason a message
 * is rejected (naming the field and value), or empty when it is acceptable. Receivers log the
 * reason, count the rejection and keep running: bad input is never an exception.
 */
public final class MessageChecks {

  /** Trainer ids name files and metric series: letters, digits, '.', '_' and '-' only. */
  public static final Pattern TRAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private MessageChecks() {}

  /** A registration: a file-name-safe id, a known shape and sane episode settings. */
  public static Optional<String> registration(RegisterTrainer m) {
    TrainerDescription t = m.getTrainer();
    if (!TRAINER_ID.matcher(t.getTrainerId()).matches()) {
      return reason("trainer_id '%s' is not [A-Za-z0-9][A-Za-z0-9._-]{0,127}", t.getTrainerId());
    }
    if (m.getTrainerRef().isEmpty()) {
      return reason("trainer_ref is empty");
    }
    if (t.getLayersCount() == 0) {
      return reason("trainer %s describes no layers", t.getTrainerId());
    }
    if (!unit(t.getTargetDensity())) {
      return reason("target_density %s outside [0, 1]", t.getTargetDensity());
    }
    if (t.getEpisodeSteps() <= 0 || t.getDecisionInterval() <= 0) {
      return reason(
          "episode_steps %d and decision_interval %d must be positive",
          t.getEpisodeSteps(), t.getDecisionInterval());
    }
    for (int i = 0; i < t.getLayersCount(); i++) {
      if (t.getLayers(i).getIndex() != i) {
        return reason("layer %d has index %d", i, t.getLayers(i).getIndex());
      }
    }
    return Optional.empty();
  }

  /** An observation from the trainer described by {@code trainer}. */
  public static Optional<String> observation(Observation o, TrainerDescription trainer) {
    if (!o.getTrainerId().equals(trainer.getTrainerId())) {
      return reason(
          "observation for trainer %s reached the explorer of %s",
          o.getTrainerId(), trainer.getTrainerId());
    }
    if (o.getEpisode() < 0 || o.getDecision() < 0 || o.getStep() < 0) {
      return reason(
          "negative episode %d, decision %d or step %d",
          o.getEpisode(), o.getDecision(), o.getStep());
    }
    if (o.getTotalSteps() <= 0 || o.getStep() > o.getTotalSteps()) {
      return reason("step %d outside [0, total_steps %d]", o.getStep(), o.getTotalSteps());
    }
    if (o.getLayersCount() != trainer.getLayersCount()) {
      return reason(
          "%d layers, but trainer %s registered %d",
          o.getLayersCount(), trainer.getTrainerId(), trainer.getLayersCount());
    }
    if (!unit(o.getGlobalDensity()) || !unit(o.getTargetDensity())) {
      return reason(
          "global_density %s or target_density %s outside [0, 1]",
          o.getGlobalDensity(), o.getTargetDensity());
    }
    if (!unit(o.getValidationAccuracy())) {
      return reason("validation_accuracy %s outside [0, 1]", o.getValidationAccuracy());
    }
    if (!Double.isFinite(o.getReward()) || !Double.isFinite(o.getSmoothedLoss())) {
      return reason("reward %s or smoothed_loss %s not finite", o.getReward(), o.getSmoothedLoss());
    }
    for (LayerFeatures l : o.getLayersList()) {
      // Counts are never negative; a negative parameter_count pushed the encoder's parameter
      // share beyond [0, 1] and into the Q-network (found by HostileWireActorsFuzzTest).
      if (l.getFanIn() < 0 || l.getFanOut() < 0 || l.getParameterCount() < 0) {
        return reason(
            "layer %d fan_in %d, fan_out %d or parameter_count %d negative",
            l.getIndex(), l.getFanIn(), l.getFanOut(), l.getParameterCount());
      }
      if (!unit(l.getDensity()) || !unit(l.getMaskChurn())) {
        return reason(
            "layer %d density %s or mask_churn %s outside [0, 1]",
            l.getIndex(), l.getDensity(), l.getMaskChurn());
      }
      if (!Double.isFinite(l.getWeightMagnitudeMean())
          || !Double.isFinite(l.getWeightMagnitudeStd())
          || !Double.isFinite(l.getGradientNorm())) {
        return reason("layer %d has a non-finite feature", l.getIndex());
      }
      if (!unit(l.getReferenceDensity())
          || !unit(l.getFlopsShare())
          || !(Math.abs(l.getLogOffset()) <= MAX_LOG_OFFSET)) {
        return reason(
            "layer %d reference_density %s, flops_share %s or log_offset %s out of range",
            l.getIndex(), l.getReferenceDensity(), l.getFlopsShare(), l.getLogOffset());
      }
    }
    if (!Double.isFinite(o.getBudgetSlack())) {
      return reason("budget_slack %s not finite", o.getBudgetSlack());
    }
    return Optional.empty();
  }

  /**
   * An action for a trainer whose current episode is {@code episode}, whose newest observation had
   * index {@code lastDecisionSent} and whose network has {@code layers} layers. Stale actions
   * (earlier episode) are not "bad": callers test {@code a.getEpisode() < episode} first.
   */
  public static Optional<String> action(
      SparsityAction a, long episode, long lastDecisionSent, int layers) {
    if (a.getEpisode() > episode) {
      return reason(
          "action for episode %d, but the current episode is %d", a.getEpisode(), episode);
    }
    if (a.getDecision() < 0 || a.getDecision() > lastDecisionSent) {
      return reason(
          "action answers decision %d, but the newest observation sent is %d",
          a.getDecision(), lastDecisionSent);
    }
    if (a.getPolicyVersion() < 0) {
      return reason("negative policy_version %d", a.getPolicyVersion());
    }
    Optional<String> bad = densities(a.getLayerDensitiesList(), layers);
    if (bad.isPresent()) {
      return bad;
    }
    return logOffsets(a.getLayerLogOffsetsList(), layers);
  }

  /**
   * Largest |log-offset| from the reference density an action may ask for: a factor of 1000 either
   * way, far beyond any move of the agent's move set, so only corrupt values are refused.
   */
  public static final double MAX_LOG_OFFSET = Math.log(1000);

  /** Per-layer log-offsets: exactly {@code layers} of them, each finite and within the bound. */
  public static Optional<String> logOffsets(List<Double> offsets, int layers) {
    if (offsets.size() != layers) {
      return reason("%d layer log-offsets for a network of %d layers", offsets.size(), layers);
    }
    for (int i = 0; i < offsets.size(); i++) {
      double o = offsets.get(i);
      if (!(Math.abs(o) <= MAX_LOG_OFFSET)) {
        return reason("layer %d log-offset %s outside [-ln 1000, ln 1000]", i, o);
      }
    }
    return Optional.empty();
  }

  /** Per-layer densities: exactly {@code layers} of them, each finite and in [0, 1]. */
  public static Optional<String> densities(List<Double> densities, int layers) {
    if (densities.size() != layers) {
      return reason("%d layer densities for a network of %d layers", densities.size(), layers);
    }
    for (int i = 0; i < densities.size(); i++) {
      if (!unit(densities.get(i))) {
        return reason("layer %d density %s outside [0, 1]", i, densities.get(i));
      }
    }
    return Optional.empty();
  }

  /** A transition batch: a named explorer, a non-negative sequence and complete transitions. */
  public static Optional<String> transitionBatch(TransitionBatch b, int maxTransitions) {
    if (b.getExplorerId().isEmpty()) {
      return reason("transition batch without explorer_id");
    }
    if (b.getSequence() < 0) {
      return reason("negative sequence %d from %s", b.getSequence(), b.getExplorerId());
    }
    if (b.getTransitionsCount() > maxTransitions) {
      return reason(
          "%d transitions from %s exceed the batch limit %d",
          b.getTransitionsCount(), b.getExplorerId(), maxTransitions);
    }
    for (Transition t : b.getTransitionsList()) {
      if (!t.hasState() || !t.hasNextState()) {
        return reason("transition from %s lacks state or next_state", b.getExplorerId());
      }
      if (t.getMovesCount() != t.getState().getLayersCount()) {
        return reason(
            "transition from %s has %d moves for %d layers",
            b.getExplorerId(), t.getMovesCount(), t.getState().getLayersCount());
      }
      if (!Double.isFinite(t.getReward())
          || !(t.getDiscount() >= 0 && t.getDiscount() <= 1)
          || !(t.getInitialPriority() >= 0)
          || !Double.isFinite(t.getInitialPriority())) {
        return reason(
            "transition from %s: reward %s, discount %s or priority %s out of range",
            b.getExplorerId(), t.getReward(), t.getDiscount(), t.getInitialPriority());
      }
    }
    return Optional.empty();
  }

  private static boolean unit(double v) {
    return v >= 0 && v <= 1;
  }

  private static Optional<String> reason(String format, Object... args) {
    return Optional.of(String.format(format, args));
  }
}
