package io.jitsparse.env.train;

import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.sparse.MaskChange;
import java.util.List;

/**
 * The state of a trainer after one step: what the trainer's metrics and files record and what the
 * agent observes.
 *
 * @param step steps completed
 * @param loss training loss of the step's batch
 * @param accuracy training accuracy of the step's batch
 * @param learningRate the learning rate the step used
 * @param densities per-layer density after the step (a trainer's live view: after the decision at
 *     the step, see {@link #withDensities})
 * @param layers per-layer statistics after the step
 * @param maskChanges per-layer mask changes made after the step (empty when none)
 * @param stepFlops training FLOPs of the step
 */
public record StepState(
    long step,
    double loss,
    double accuracy,
    double learningRate,
    double[] densities,
    List<LayerStatistics> layers,
    List<MaskChange> maskChanges,
    double stepFlops) {

  /** This state with the per-layer densities a decision made after the step left. */
  public StepState withDensities(double[] after) {
    return new StepState(step, loss, accuracy, learningRate, after, layers, maskChanges, stepFlops);
  }
}
