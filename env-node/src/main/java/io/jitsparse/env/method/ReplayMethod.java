package io.jitsparse.env.method;

import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Replays a recorded per-layer density schedule ({@link RecordedSchedule}, a run's {@code
 * schedule.csv}): random masks at the densities of step 0, then at every later recorded step each
 * layer is moved to its recorded density by the run's prune and grow criteria.
 *
 * <p>Why an engine method rather than a controller of an episode: a schedule.csv records densities
 * at arbitrary steps (every mask change of the run that wrote it), while a controlled episode can
 * only move the masks at its decision boundaries, one interval after it is asked. As a method the
 * replay moves each layer at exactly its recorded step, and the run gets everything a baseline run
 * has (result.json, its own schedule.csv to compare with the replayed one, checkpoints, resume).
 * Only the densities are replayed, not which weights were active: that is the run's own, chosen by
 * its criteria.
 */
public final class ReplayMethod implements SparsityMethod {

  private final RecordedSchedule schedule;
  private final DensityMover mover;
  private final SplittableRandom rng;

  /** Per point, per layer: active weights to move to; known once bound to the network. */
  private long[][] counts;

  /** Per point: whether some layer's count differs from the previous point's. */
  private boolean[] moves;

  /** Per point: whether some layer grows there (growth needs dense gradients). */
  private boolean[] grows;

  /**
   * @param schedule the recorded schedule
   * @param mover prunes and grows
   * @param rng seeded source of the initial masks
   * @param totalSteps the run's steps
   * @throws IllegalArgumentException naming the file and line of a step beyond the run
   */
  public ReplayMethod(
      RecordedSchedule schedule, DensityMover mover, SplittableRandom rng, long totalSteps) {
    for (RecordedSchedule.Point p : schedule.points()) {
      if (p.step() > totalSteps) {
        throw new IllegalArgumentException(
            schedule.file()
                + ": line "
                + p.line()
                + ": step "
                + p.step()
                + " is beyond the run's "
                + totalSteps
                + " steps (set the run's length to the recorded run's)");
      }
    }
    this.schedule = schedule;
    this.mover = mover;
    this.rng = rng;
  }

  @Override
  public String name() {
    return "replay";
  }

  @Override
  public void initialize(SparseNetwork net) {
    List<PrunableTensor> tensors = net.tensors();
    double[][] d = schedule.densities(tensors.stream().map(PrunableTensor::name).toList());
    counts = new long[d.length][tensors.size()];
    moves = new boolean[d.length];
    grows = new boolean[d.length];
    for (int p = 0; p < d.length; p++) {
      for (int i = 0; i < tensors.size(); i++) {
        counts[p][i] = DensityMover.targetCount(d[p][i], tensors.get(i).size());
        if (p > 0) {
          moves[p] |= counts[p][i] != counts[p - 1][i];
          grows[p] |= counts[p][i] > counts[p - 1][i];
        }
      }
    }
    if (mover.growCriterion().needsGradientMomentum()) {
      net.trackGradientMomentum();
    }
    RandomTopology.apply(net, d[0], rng);
  }

  @Override
  public boolean updatesMasksAt(long step) {
    int p = pointAt(step);
    return p > 0 && moves[p];
  }

  @Override
  public boolean computesDenseGradientAt(long step) {
    // Sparse momentum keeps a running average of dense gradients, so it needs them every step.
    if (mover.growCriterion().needsGradientMomentum()) {
      return true;
    }
    int p = pointAt(step);
    return p > 0 && grows[p] && mover.growCriterion().needsDenseGradient();
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    if (!updatesMasksAt(step)) {
      return List.of();
    }
    long[] target = counts[pointAt(step)];
    INDArray[] gradients = result.denseGradients();
    List<MaskChange> changes = new ArrayList<>();
    for (int i = 0; i < target.length; i++) {
      if (target[i] != net.activeCount(i)) {
        changes.add(mover.moveTo(net, i, target[i], gradients == null ? null : gradients[i]));
      }
    }
    return changes;
  }

  /** The index of the point recorded at {@code step}, or -1. */
  private int pointAt(long step) {
    List<RecordedSchedule.Point> points = schedule.points();
    int lo = 0;
    int hi = points.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = points.get(mid).step();
      if (s < step) {
        lo = mid + 1;
      } else if (s > step) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }
}
