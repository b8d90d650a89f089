package io.jitsparse.env.trainer;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.link.StaticLayerFeatures;
import io.jitsparse.env.method.GmpMethod;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;
import java.util.Optional;

/**
 * Everything that lives and dies with one episode of a {@link Trainer}: the network being trained
 * ({@link TrainingEpisode}), the {@link ReferenceSchedule} it is steered around, the {@link
 * BudgetWall} that turns requested log-offsets into densities at each decision boundary, and the
 * {@link EpisodeReport} of what the agent is told. Free of Pekko: the actor (or {@link
 * ControlledEpisode}) decides when to step and what to request, this class does it, and says where
 * the decision boundaries are so that every driver places them alike.
 *
 * <p>A controlled episode trains with the reference's own method (GMP, {@link
 * TrainerSettings#referenceKeys()}), steered: at every mask update of the reference the layers
 * prune to the wall's densities for the offsets in effect, and at a decision the wall applies new
 * offsets (growing, by the grow criterion, where they rise). An episode of a handcrafted method
 * ({@link #ofMethod}) has no wall: the engine's own method moves the masks during the steps, and
 * its boundaries only observe, so that it is measured (return, schedule, FLOPs) exactly like a
 * controlled episode; its validation passes are not charged, as the method needs none.
 *
 * <p>Not thread-safe; owns native memory: {@link #close()} it when the episode ends.
 */
final class Episode implements AutoCloseable {

  private final TrainerSettings s;
  private final TrainingEpisode training;
  private final ReferenceSchedule reference;

  /** Null in an episode of a handcrafted method: nothing but the method moves its masks. */
  private final BudgetWall wall;

  private final List<LayerFeatures> staticLayers;
  private final EpisodeReport report;

  /** The number of the next decision; counts from 0 in every episode. */
  private long decision;

  /**
   * A controlled episode: the reference schedule's method, steered by the decisions.
   *
   * @param index the episode's index (the trainer's episode count)
   * @param seed the episode's seed
   */
  Episode(TrainerSettings s, String trainerId, long index, long seed, FashionMnist data) {
    this(s, s.engine(seed), true, trainerId, index, data);
  }

  private Episode(
      TrainerSettings s,
      BaselineSettings engine,
      boolean controlled,
      String trainerId,
      long index,
      FashionMnist data) {
    this.s = s;
    this.training = new TrainingEpisode(s, engine, data);
    List<PrunableTensor> tensors = training.network().tensors();
    this.reference = new ReferenceSchedule(s.engine(engine.seed()), tensors, s.episodeSteps());
    if (controlled) {
      this.wall =
          new BudgetWall(
              reference,
              training.flops(),
              training.sizes(),
              s.density(),
              s.minLayerDensity(),
              training.batchSize(),
              training.validationSize(),
              s.budgeted());
      if (!(training.method() instanceof GmpMethod gmp)) {
        throw new IllegalStateException("a controlled episode steers a gmp method");
      }
      gmp.steer(wall::densitiesAt);
    } else {
      this.wall = null;
    }
    this.staticLayers = StaticLayerFeatures.of(tensors);
    this.report =
        new EpisodeReport(
            trainerId,
            s,
            index,
            staticLayers,
            training.initialLearningRate(),
            training.denseEpisodeFlops());
  }

  /**
   * An episode whose masks the engine's own sparsity method moves ({@code engine}'s method, for
   * example gmp or dst, from {@link TrainerSettings#engine(long, java.util.Map)}); its boundaries
   * ignore any request and only observe.
   */
  static Episode ofMethod(
      TrainerSettings s, BaselineSettings engine, String trainerId, FashionMnist data) {
    return new Episode(s, engine, false, trainerId, 0, data);
  }

  /** The network's static layer features, as the trainer registers them. */
  List<LayerFeatures> staticLayers() {
    return staticLayers;
  }

  /** Samples in one training batch. */
  int batchSize() {
    return training.batchSize();
  }

  /** The current per-layer densities. */
  double[] densities() {
    return training.densities();
  }

  /** Training steps done. */
  long stepCount() {
    return training.stepCount();
  }

  /** Whether the episode has done all its steps (its final boundary is due). */
  boolean finished() {
    return training.stepCount() >= s.episodeSteps();
  }

  /**
   * Whether a decision boundary is due now: at step 0, every {@code decision-interval} steps, and
   * at the last step (done).
   */
  boolean atBoundary() {
    long step = training.stepCount();
    return finished() || step % s.decisionInterval() == 0;
  }

  /**
   * One training step.
   *
   * @throws io.jitsparse.env.train.NonFiniteLossException when the loss is not finite
   */
  StepState step() {
    StepState st = training.step();
    report.step(st);
    return st;
  }

  /**
   * The decision boundary due now ({@link #atBoundary()}): the requested log-offsets are the {@code
   * action}'s, else zero (the reference) when {@code followFallback} and the fallback is {@code
   * reference}, else the ones in effect; the wall fits them to the budget, the masks move and the
   * returned observation reports the result ({@code done} when {@link #finished()}). An episode of
   * a handcrafted method ignores the request.
   */
  Observation boundary(Optional<SparsityAction> action, boolean followFallback, long nowNanos) {
    long step = training.stepCount();
    long next = Math.min(s.episodeSteps(), step + s.decisionInterval());
    EpisodeReport.Steering steering = null;
    if (wall != null) {
      double[] requested = null;
      if (action.isPresent()) {
        requested = toArray(action.get().getLayerLogOffsetsList());
        report.appliedPolicy(action.get().getPolicyVersion());
      } else if (followFallback && s.fallbackSchedule().equals("reference")) {
        requested = new double[training.sizes().length];
      }
      double[] current = training.densities();
      training.moveTo(wall.decide(requested, step, next, training.trainingFlops(), current));
    }
    double[] applied = training.densities();
    double validation = training.validationAccuracy(wall != null);
    if (wall != null) {
      steering =
          new EpisodeReport.Steering(
              reference.densities(next),
              wall.appliedOffsets(step, applied),
              (reference.cumulativeFlops(step) - training.trainingFlops())
                  / reference.totalFlops());
    }
    return report.decision(
        training, decision++, step, validation, finished(), applied, steering, nowNanos);
  }

  /** After an abort: a done observation so the explorer closes its episode too. */
  Observation aborted(long nowNanos) {
    return report.aborted(training, decision++, nowNanos);
  }

  /**
   * The episode's summary; a finished episode is evaluated on the test set first (an aborted one
   * reports 0, its network being diverged or cut short).
   */
  EpisodeSummary summary(String runId, boolean aborted, String reason) {
    double testAccuracy = aborted ? 0 : training.testAccuracy();
    return report.summary(training, runId, aborted, reason, testAccuracy, reference);
  }

  @Override
  public void close() {
    training.close();
  }

  private static double[] toArray(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
