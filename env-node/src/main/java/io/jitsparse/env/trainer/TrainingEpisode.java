package io.jitsparse.env.trainer;

import io.jitsparse.env.data.Batch;
import io.jitsparse.env.data.Batches;
import io.jitsparse.env.data.DataSplit;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.growth.GrowCriteria;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.pruning.PruneCriteria;
import io.jitsparse.env.pruning.SensitivityPruner;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.train.Evaluator;
import io.jitsparse.env.train.SparseTrainer;
import io.jitsparse.env.train.StepState;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One episode of one trainer, free of Pekko so it can be driven directly: a fresh network (seeded
 * by the episode), its data order, a fixed validation batch, and the density moves the action wall
 * decides (or, in an episode of a handcrafted method, none: the engine's method moves the masks
 * itself). The {@link Trainer} actor calls {@link #step()} once per message.
 *
 * <p>Not thread-safe; owns native memory: {@link #close()} it when the episode ends.
 */
final class TrainingEpisode implements AutoCloseable {

  private final BaselineSettings engine;
  private final SparseTrainer trainer;
  private final DataSplit split;
  private final Batch validation;
  private final DensityMover mover;
  private final long seed;
  private final long episodeSteps;
  private final long[] sizes;
  private Batches batches;
  private int epoch;
  private Batch last;

  /**
   * @param s the trainer's settings (episode length, validation batch, criteria of the moves)
   * @param engine the engine's settings for this episode ({@link TrainerSettings#engine}); its seed
   *     is the episode's
   * @param data the data set
   */
  TrainingEpisode(TrainerSettings s, BaselineSettings engine, FashionMnist data) {
    this.seed = engine.seed();
    this.engine = engine;
    this.episodeSteps = s.episodeSteps();
    this.trainer = new SparseTrainer(engine, null, episodeSteps);
    this.split =
        new DataSplit(
            data,
            seed,
            engine.validationFraction(),
            s.trainSamples() > 0 ? OptionalInt.of(s.trainSamples()) : OptionalInt.empty());
    this.validation =
        split.fixedValidationBatch(Math.min(s.validationSamples(), split.validationSize()));
    // The wall's moves make their own random choices, seeded by the episode like everything else.
    this.mover =
        new DensityMover(
            PruneCriteria.byName(s.prune(), engine.mestGamma(), SensitivityPruner.DEFAULT_EPSILON),
            GrowCriteria.byName(s.grow()),
            new SplittableRandom(seed ^ 0x5DEECE66DL));
    List<PrunableTensor> tensors = trainer.network().tensors();
    this.sizes = new long[tensors.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = tensors.get(i).size();
    }
    this.batches = split.batches(engine.batchSize(), seed, epoch);
  }

  /** Samples of the fixed validation batch. */
  int validationSize() {
    return validation.size();
  }

  /** Samples in one training batch. */
  int batchSize() {
    return engine.batchSize();
  }

  /** The episode's seed. */
  long seed() {
    return seed;
  }

  /** The network. */
  SparseNetwork network() {
    return trainer.network();
  }

  /** Weights per prunable layer. */
  long[] sizes() {
    return sizes.clone();
  }

  /** Steps completed. */
  long stepCount() {
    return trainer.stepCount();
  }

  /**
   * One training step on the next batch (a new epoch's order when the last one is used up).
   *
   * @throws io.jitsparse.env.train.NonFiniteLossException when the loss is not finite
   */
  StepState step() {
    if (!batches.hasNext()) {
      epoch++;
      batches = split.batches(engine.batchSize(), seed, epoch);
    }
    Batch b = batches.next();
    if (last != null) {
      last.close();
    }
    // Kept open until the next step: growth at the coming decision scores by its gradients.
    last = b;
    return trainer.step(b.features(), b.labels(), b.classes());
  }

  /**
   * Moves every layer to {@code densities} (pruning by the prune criterion, growing by the grow
   * criterion on dense gradients of the last training batch). The dense-gradient pass that growth
   * needs is a forward and backward pass of its own, so it is added to the training FLOPs as one
   * dense-gradient step (RigL's accounting, {@link io.jitsparse.env.flops.TrainingFlops}).
   */
  void moveTo(double[] densities) {
    SparseNetwork net = trainer.network();
    INDArray[] gradients = null;
    try {
      for (int i = 0; i < densities.length; i++) {
        long want = DensityMover.targetCount(densities[i], sizes[i]);
        if (want > net.activeCount(i) && gradients == null && last != null) {
          gradients = net.denseGradients(last.features(), last.labels());
          trainer.flops().addStep(last.size(), net.densities(), true);
        }
        mover.moveTo(net, i, want, gradients == null ? null : gradients[i]);
      }
    } finally {
      // native buffers: released now rather than whenever the collector finds them
      if (gradients != null) {
        for (INDArray g : gradients) {
          g.close();
        }
      }
    }
  }

  /** Per-layer densities of the network now. */
  double[] densities() {
    return trainer.network().densities();
  }

  /** Global density of the network now. */
  double globalDensity() {
    return trainer.network().globalDensity();
  }

  /** Statistics of layer {@code i} now. */
  LayerStatistics statistics(int i) {
    return trainer.network().statistics(i);
  }

  /**
   * Accuracy on the fixed validation batch; with {@code charged} its forward pass is added to the
   * training FLOPs (a controlled episode's observations need it, a handcrafted method does not).
   */
  double validationAccuracy(boolean charged) {
    if (charged) {
      trainer.flops().addForward(validation.size(), trainer.network().densities());
    }
    return trainer
        .network()
        .evaluate(validation.features(), validation.labels(), validation.classes())
        .accuracy();
  }

  /** Accuracy on the (possibly limited) test set. */
  double testAccuracy() {
    return Evaluator.evaluate(trainer.network(), split.testBatches(engine.evalBatchSize()))
        .accuracy();
  }

  /** The engine's sparsity method (a controlled episode steers its GMP). */
  io.jitsparse.env.method.SparsityMethod method() {
    return trainer.method();
  }

  /** The FLOPs accounting of the network. */
  io.jitsparse.env.flops.TrainingFlops flops() {
    return trainer.flops();
  }

  /** Forward FLOPs per sample of the masks now (the network's inference cost). */
  double inferenceFlops() {
    return trainer.flops().sparseForwardPerSample(trainer.network().densities());
  }

  /** Training FLOPs so far. */
  double trainingFlops() {
    return trainer.flops().total();
  }

  /**
   * F_dense: the training FLOPs of this episode trained dense, {@code episode-steps} steps of the
   * batch size (every batch is full: the data split drops the last incomplete one).
   */
  double denseEpisodeFlops() {
    return trainer.flops().denseRun(episodeSteps, engine.batchSize());
  }

  /** The learning rate of the first step. */
  double initialLearningRate() {
    return engine.learningRate();
  }

  @Override
  public void close() {
    validation.close();
    if (last != null) {
      last.close();
      last = null;
    }
  }
}
