package io.jitsparse.env.trainer;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.WeightTransform;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.NonFiniteLossException;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One episode run to its end in the caller's thread, without Pekko: the same {@link Episode} a
 * {@link Trainer} runs (network, data order, validation batch, action wall, reward, summary),
 * driven by a {@link DensityController} instead of an agent on the wire. This is how a trained
 * policy is evaluated and a schedule replayed outside a cluster.
 *
 * <p>The controller is asked at every decision boundary but the last, and its answer to the
 * observation of decision {@code k} is applied at decision {@code k + 1}, exactly when an actor
 * trainer applies the action answering that observation (an agent's answer arrives while the next
 * interval trains). Nothing is requested at decision 0, where an episode keeps its start density,
 * as a trainer whose agent has not answered yet does.
 *
 * <p>{@link #runMethod} runs the episode of a handcrafted method instead: the engine's own sparsity
 * method moves the masks, on the same seed, data, optimiser, learning-rate schedule and step
 * budget, and the boundaries only observe, so that its summary (return, schedule, FLOPs) compares
 * one to one with a controlled episode's.
 */
public final class ControlledEpisode {

  /**
   * Told after every training step and every decision boundary, for progress display and records.
   * It may throw an unchecked exception to stop the episode early (Ctrl-C): the exception reaches
   * the caller after the episode's resources are released.
   */
  @FunctionalInterface
  public interface ProgressListener {

    /**
     * @param state the step just done
     * @param totalSteps the episode's steps
     */
    void stepped(StepState state, long totalSteps);

    /**
     * A decision boundary's observation, the first (step 0) and the final (done) one included: the
     * applied per-layer densities, the validation accuracy and the reward.
     */
    default void decided(Observation o) {}
  }

  private ControlledEpisode() {}

  /**
   * Runs one controlled episode.
   *
   * @param s the trainer settings (model, target density, episode length, decision interval, wall,
   *     reward; the engine's batch size, optimiser and learning rate from {@code
   *     jitsparse.baseline})
   * @param seed the episode's seed (initialisation, data order, masks)
   * @param data the data set; only the first {@code test-samples} test images are evaluated
   * @param controller chooses the densities
   * @param trainerId the id the observations and the summary carry
   * @param progress told after every step, or null
   * @return the summary; aborted, with test accuracy 0, when the loss diverged
   */
  public static EpisodeSummary run(
      TrainerSettings s,
      long seed,
      FashionMnist data,
      DensityController controller,
      String trainerId,
      ProgressListener progress) {
    try (Episode episode =
        new Episode(s, trainerId, 0, seed, TrainerData.limitTest(data, s.testSamples()))) {
      return drive(s, episode, controller, progress);
    }
  }

  /**
   * Runs one episode of a handcrafted method: {@code method}'s keys of {@code jitsparse.baseline}
   * (for example {@code method = gmp, schedule = cubic}) over the engine settings of a controlled
   * episode with the same seed ({@link TrainerSettings#engine(long, Map)}, at the target density).
   *
   * @throws IllegalArgumentException naming the key when {@code method} is invalid
   * @see #run
   */
  public static EpisodeSummary runMethod(
      TrainerSettings s,
      long seed,
      FashionMnist data,
      Map<String, ?> method,
      String trainerId,
      ProgressListener progress) {
    BaselineSettings engine = s.engine(seed, method);
    try (Episode episode =
        Episode.ofMethod(s, engine, trainerId, TrainerData.limitTest(data, s.testSamples()))) {
      return drive(s, episode, o -> Optional.empty(), progress);
    }
  }

  /**
   * The model's prunable layers (name, size, shape), in the order of the summaries' schedules;
   * built once for the purpose, as the episodes' networks are gone with their episodes.
   */
  public static List<PrunableTensor> layers(TrainerSettings s) {
    BaselineSettings engine = s.engine(s.seed());
    return new SparseNetwork(
            ModelRegistry.byName(s.model(), s.width()),
            engine.seed(),
            WeightTransform.IDENTITY,
            engine.optimizer())
        .tensors();
  }

  private static EpisodeSummary drive(
      TrainerSettings s, Episode episode, DensityController controller, ProgressListener progress) {
    Observation first = episode.boundary(Optional.empty(), false, System.nanoTime());
    if (progress != null) {
      progress.decided(first);
    }
    Optional<SparsityAction> answer = controller.decide(first);
    while (true) {
      StepState st;
      try {
        st = episode.step();
      } catch (NonFiniteLossException e) {
        episode.aborted(System.nanoTime());
        return episode.summary(s.runId(), true, "non-finite loss " + e.getMessage());
      }
      if (progress != null) {
        progress.stepped(st, s.episodeSteps());
      }
      if (episode.atBoundary()) {
        Observation o = episode.boundary(answer, false, System.nanoTime());
        if (progress != null) {
          progress.decided(o);
        }
        if (episode.finished()) {
          return episode.summary(s.runId(), false, "");
        }
        answer = controller.decide(o);
      }
    }
  }
}
