package io.jitsparse.env.train;

import com.typesafe.config.ConfigFactory;
import io.jitsparse.env.flops.TrainingFlops;
import io.jitsparse.env.method.SparsityMethod;
import io.jitsparse.env.model.ModelArchitecture;
import io.jitsparse.env.model.ModelRegistry;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.LayerStatistics;
import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepPhases;
import io.jitsparse.env.sparse.StepResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one sparse network in the caller's own loop: a {@link SparseNetwork}, the sparsity method
 * that drives its masks, the learning-rate schedule and the FLOPs accounting. Each {@link #step}
 * takes one batch and returns the {@link StepState} the agent would observe.
 *
 * <pre>{@code
 * SparseTrainer trainer = SparseTrainer.builder()
 *     .set("model", "lenet5-caffe").set("method", "dst").set("density", 0.05)
 *     .totalSteps(4000).build();
 * StepState s = trainer.step(features, oneHotLabels, classes);
 * }</pre>
 */
public final class SparseTrainer {

  /** Mixes the seed with the step so that every mask update has its own random stream. */
  private static final long STEP_SEED_MIX = 0x9E3779B97F4A7C15L;

  private final BaselineSettings settings;
  private final SparseNetwork network;
  private final SparsityMethod method;
  private final DensityMover mover;
  private final LearningRateSchedule learningRate;
  private final TrainingFlops flops;
  private final long totalSteps;
  private long step;
  private double[] densities;
  private long lastCollection = System.nanoTime();
  private StepPhases phases;

  /**
   * A trainer for a run of {@code totalSteps} steps.
   *
   * @param settings the run's settings
   * @param architecture the model (null: the one {@code settings} names)
   * @param totalSteps steps the run will take (schedules and learning-rate decay depend on it)
   */
  public SparseTrainer(BaselineSettings settings, ModelArchitecture architecture, long totalSteps) {
    this.settings = settings;
    this.totalSteps = totalSteps;
    BaselineMethods.Built built = BaselineMethods.create(settings, totalSteps);
    this.method = built.method();
    this.mover = built.mover();
    ModelArchitecture model =
        architecture != null
            ? architecture
            : ModelRegistry.byName(settings.model(), settings.width());
    this.network =
        new SparseNetwork(model, settings.seed(), method.weightTransform(), settings.optimizer());
    this.learningRate =
        new LearningRateSchedule(
            settings.learningRate(), settings.lrDecayAt(), settings.lrDecayFactor(), totalSteps);
    this.flops = new TrainingFlops(network.tensors());
    method.initialize(network);
    this.densities = method.densities(network);
  }

  /** A builder over the defaults in {@code reference.conf}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects overrides of {@code jitsparse.baseline.*} keys. */
  public static final class Builder {
    private final Map<String, Object> overrides = new HashMap<>();
    private ModelArchitecture architecture;
    private long totalSteps = -1;

    private Builder() {}

    /** Overrides one key of {@code jitsparse.baseline} (for example {@code "density"}). */
    public Builder set(String key, Object value) {
      overrides.put(key, value);
      return this;
    }

    /** Trains a custom architecture instead of a registered one. */
    public Builder architecture(ModelArchitecture model) {
      this.architecture = model;
      return this;
    }

    /** The run's length in steps. */
    public Builder totalSteps(long steps) {
      this.totalSteps = steps;
      return this;
    }

    /** Builds the trainer. */
    public SparseTrainer build() {
      if (totalSteps < 1) {
        throw new IllegalArgumentException("totalSteps must be set to at least 1");
      }
      BaselineSettings settings =
          BaselineSettings.withOverrides(ConfigFactory.defaultReference(), overrides);
      return new SparseTrainer(settings, architecture, totalSteps);
    }
  }

  /**
   * One training step on a batch, then the method's mask update if this step has one.
   *
   * @throws NonFiniteLossException when the loss is NaN or infinite (nothing is updated)
   */
  public StepState step(INDArray features, INDArray labels, int[] classes) {
    long next = step + 1;
    boolean update = method.updatesMasksAt(next);
    double lr = learningRate.at(step);
    double[] during = densities;
    StepResult r = network.trainStep(features, labels, classes, lr, update);
    if (!Double.isFinite(r.loss())) {
      throw new NonFiniteLossException(next, r.loss());
    }
    step = next;
    if (update && mover != null) {
      mover.reseed(settings.seed() * STEP_SEED_MIX + step);
    }
    StepPhases timing = phases;
    long t = System.nanoTime();
    List<MaskChange> changes = method.afterStep(network, step, r);
    if (timing != null) {
      t = timing.lap(StepPhases.Phase.MASK_UPDATE, t);
    }
    densities = method.densities(network);
    double stepFlops = flops.addStep(classes.length, during, method.computesDenseGradientAt(step));
    List<LayerStatistics> layers = new ArrayList<>(densities.length);
    for (int i = 0; i < densities.length; i++) {
      LayerStatistics s = network.statistics(i);
      layers.add(
          new LayerStatistics(
              densities[i],
              s.weightMagnitudeMean(),
              s.weightMagnitudeStd(),
              s.gradientNorm(),
              s.maskChurn()));
    }
    if (timing != null) {
      t = timing.lap(StepPhases.Phase.STATISTICS, t);
    }
    collectNativeGarbage();
    if (timing != null) {
      timing.lap(StepPhases.Phase.GC, t);
      timing.step();
    }
    return new StepState(
        step, r.loss(), r.accuracy(), lr, densities.clone(), layers, changes, stepFlops);
  }

  /**
   * ND4J frees a native buffer only when its Java object is collected, and SameDiff's graph
   * execution and ND4J's updaters leave tens of megabytes of such buffers per step behind tiny Java
   * objects that never fill the Java heap, so without help the process grows by gigabytes between
   * collections. A collection every {@code gc-window-ms} bounds that (ND4J's own MemoryManager does
   * the same for MultiLayerNetwork); its cost is measured by bench/run engine.
   *
   * <p>The direct pass ({@link SparseNetwork#usesDirectPass()}) needs none: it reuses its arrays,
   * and a step leaves only a few scalar results natively, behind a few hundred kilobytes of Java
   * garbage, so the young collections that garbage triggers free them (docs/results.md, issue 14:
   * resident memory levels off). The full collection cost it 10-20% of its step time.
   */
  private void collectNativeGarbage() {
    if (network.usesDirectPass()) {
      return;
    }
    long window = settings.gcWindowMs() * 1_000_000L;
    long now = System.nanoTime();
    if (window > 0 && now - lastCollection >= window) {
      System.gc();
      lastCollection = System.nanoTime();
    }
  }

  /**
   * Records where the time of every later step goes, the network's phases included, into {@code
   * recorder} (null: stop recording).
   */
  public void recordPhases(StepPhases recorder) {
    this.phases = recorder;
    network.recordPhases(recorder);
  }

  /** Steps completed. */
  public long stepCount() {
    return step;
  }

  /** The run's planned length. */
  public long totalSteps() {
    return totalSteps;
  }

  /** The network. */
  public SparseNetwork network() {
    return network;
  }

  /** The sparsity method. */
  public SparsityMethod method() {
    return method;
  }

  /** The settings. */
  public BaselineSettings settings() {
    return settings;
  }

  /** Current per-layer densities. */
  public double[] densities() {
    return densities.clone();
  }

  /** Global density: active weights over all prunable weights. */
  public double globalDensity() {
    double active = 0;
    double total = 0;
    for (int i = 0; i < densities.length; i++) {
      long n = network.tensors().get(i).size();
      active += densities[i] * n;
      total += n;
    }
    return active / total;
  }

  /** The FLOPs accounting. */
  public TrainingFlops flops() {
    return flops;
  }

  /** Restores the step counter and FLOPs total after {@link SparseNetwork#restore}. */
  public void restoreProgress(long steps, double flopsTotal) {
    this.step = steps;
    this.flops.restoreTotal(flopsTotal);
    this.densities = method.densities(network);
  }
}
