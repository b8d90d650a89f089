package io.jitsparse.env.trainer;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.link.StaticLayerFeatures;
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
 * ({@link TrainingEpisode}), the {@link ActionWall} and {@link FallbackSchedule} that turn requests
 * into densities at each decision boundary, and the {@link EpisodeReport} of what the agent is
 * told. Free of Pekko: the actor (or {@link ControlledEpisode}) decides when to step and what to
 * request, this class does it, and says where the decision boundaries are so that every driver
 * places them alike.
 *
 * <p>An episode of a handcrafted method ({@link #ofMethod}) has no wall: the engine's own method
 * moves the masks during the steps, and its boundaries only observe, so that it is measured
 * (reward, return, schedule) exactly like a controlled episode.
 *
 * <p>Not thread-safe; owns native memory: {@link #close()} it when the episode ends.
 */
final class Episode implements AutoCloseable {

  private final TrainerSettings s;
  private final TrainingEpisode training;

  /** Null in an episode of a handcrafted method: nothing but the method moves its masks. */
  private final ActionWall wall;

  private final FallbackSchedule fallback;
  private final List<LayerFeatures> staticLayers;
  private final EpisodeReport report;

  /** The number of the next decision; counts from 0 in every episode. */
  private long decision;

  /**
   * A controlled episode: the engine only trains (method {@code static} at {@code start-density}),
   * the densities move where the boundaries move them.
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
    this.wall =
        controlled
            ? new ActionWall(
                training.sizes(),
                s.episodeSteps(),
                s.density(),
                s.finalPhase(),
                s.minLayerDensity())
            : null;
    this.fallback =
        new FallbackSchedule(s.fallbackSchedule(), s.startDensity(), s.density(), s.episodeSteps());
    this.staticLayers = StaticLayerFeatures.of(training.network().tensors());
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
   * The decision boundary due now ({@link #atBoundary()}): the requested densities are the {@code
   * action}'s, else the fallback schedule's when {@code followFallback}, else the current ones; the
   * wall clamps them, the masks move and the returned observation reports the result ({@code done}
   * when {@link #finished()}). An episode of a handcrafted method ignores the request.
   */
  Observation boundary(Optional<SparsityAction> action, boolean followFallback, long nowNanos) {
    long step = training.stepCount();
    if (wall != null) {
      double[] current = training.densities();
      double[] requested;
      if (action.isPresent()) {
        requested = toArray(action.get().getLayerDensitiesList());
        report.appliedPolicy(action.get().getPolicyVersion());
      } else if (followFallback) {
        requested = fallback.targets(step, current);
      } else {
        requested = current;
      }
      training.moveTo(wall.apply(requested, step, training.globalDensity()));
    }
    double[] applied = training.densities();
    double validation = training.validationAccuracy();
    return report.decision(training, decision++, step, validation, finished(), applied, nowNanos);
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
    return report.summary(training, runId, aborted, reason, testAccuracy);
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
