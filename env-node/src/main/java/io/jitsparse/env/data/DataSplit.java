package io.jitsparse.env.data;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * A seeded split of Fashion-MNIST's training images into a training part and a held-out validation
 * part (never trained on), plus the batch iterators over training, validation and test data.
 *
 * <p>Everything is a pure function of the seeds: the same data and seeds give the same split and
 * the same batches, so runs can be repeated and resumed from a checkpoint mid-epoch.
 */
public final class DataSplit {

  /** Share of the training images held out for validation unless told otherwise. */
  public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

  private final FashionMnist data;
  private final long seed;
  private final int[] trainIndices;
  private final int[] validationIndices;
  private final int[] testIndices;

  /**
   * The default split: {@link #DEFAULT_VALIDATION_FRACTION} held out, all the rest trained on.
   *
   * @param data the data set
   * @param seed seeds the shuffle that picks the validation samples
   */
  public DataSplit(FashionMnist data, long seed) {
    this(data, seed, DEFAULT_VALIDATION_FRACTION, OptionalInt.empty());
  }

  /**
   * @param data the data set
   * @param seed seeds the shuffle that picks the validation samples
   * @param validationFraction share of training images held out, in [0, 1); the count is rounded
   * @param trainSampleLimit if present, train only on the first N of the shuffled non-validation
   *     samples (for quick runs); the validation part is unchanged
   * @throws IllegalArgumentException if the fraction is out of range, or the limit is below 1 or
   *     above the samples available
   */
  public DataSplit(
      FashionMnist data, long seed, double validationFraction, OptionalInt trainSampleLimit) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in [0, 1), got " + validationFraction);
    }
    this.data = data;
    this.seed = seed;
    int total = data.trainCount();
    int[] shuffled = identity(total);
    shuffle(shuffled, new SplittableRandom(seed));
    int validationCount = (int) Math.round(validationFraction * total);
    int available = total - validationCount;
    int trainCount = trainSampleLimit.orElse(available);
    if (trainCount < 1 || trainCount > available) {
      throw new IllegalArgumentException(
          "--train-samples "
              + trainCount
              + " must be between 1 and the "
              + available
              + " training samples left after holding out "
              + validationCount
              + " for validation");
    }
    this.validationIndices = Arrays.copyOfRange(shuffled, 0, validationCount);
    this.trainIndices = Arrays.copyOfRange(shuffled, validationCount, validationCount + trainCount);
    this.testIndices = identity(data.testCount());
  }

  /** The seed the split was made with. */
  public long seed() {
    return seed;
  }

  /** Number of samples trained on. */
  public int trainSize() {
    return trainIndices.length;
  }

  /** Number of held-out validation samples. */
  public int validationSize() {
    return validationIndices.length;
  }

  /** Number of test samples. */
  public int testSize() {
    return testIndices.length;
  }

  /** Indices into the training images of the samples trained on, in split order (a copy). */
  public int[] trainIndices() {
    return trainIndices.clone();
  }

  /** Indices into the training images of the validation samples, in evaluation order (a copy). */
  public int[] validationIndices() {
    return validationIndices.clone();
  }

  /**
   * Full training batches per epoch; the last incomplete batch is dropped.
   *
   * @throws IllegalArgumentException if there are fewer training samples than one batch
   */
  public int trainBatchesPerEpoch(int batchSize) {
    requireTrainBatch(batchSize);
    return trainIndices.length / batchSize;
  }

  /** One epoch of training batches from its start; see {@link #batches(int, long, int, int)}. */
  public Batches batches(int batchSize, long shuffleSeed, int epoch) {
    return batches(batchSize, shuffleSeed, epoch, 0);
  }

  /**
   * One epoch of training batches, starting at batch {@code startBatch} (for resuming from a
   * checkpoint). The training samples are shuffled afresh for each epoch, determined only by {@code
   * (shuffleSeed, epoch)}. Every batch has exactly {@code batchSize} samples: the last {@code
   * trainSize() % batchSize} samples of the epoch's order are dropped (PyTorch's {@code
   * drop_last=True}), a different few each epoch.
   *
   * @throws IllegalArgumentException if there are fewer training samples than one batch, or {@code
   *     startBatch} is outside 0..{@link #trainBatchesPerEpoch(int)}
   */
  public Batches batches(int batchSize, long shuffleSeed, int epoch, int startBatch) {
    requireTrainBatch(batchSize);
    int[] order = trainIndices.clone();
    shuffle(order, new SplittableRandom(epochSeed(shuffleSeed, epoch)));
    return new Batches(data.trainImages(), data.trainLabels(), order, batchSize, true, startBatch);
  }

  /** All validation samples in a fixed order; the last batch may be smaller. */
  public Batches validationBatches(int batchSize) {
    return new Batches(
        data.trainImages(), data.trainLabels(), validationIndices, batchSize, false, 0);
  }

  /** All test samples in file order; the last batch may be smaller. */
  public Batches testBatches(int batchSize) {
    return new Batches(data.testImages(), data.testLabels(), testIndices, batchSize, false, 0);
  }

  /**
   * The first {@code size} validation samples as one batch: a fixed held-out probe whose accuracy
   * is comparable from step to step.
   *
   * @throws IllegalArgumentException if {@code size} is below 1 or above {@link #validationSize()}
   */
  public Batch fixedValidationBatch(int size) {
    if (size < 1 || size > validationIndices.length) {
      throw new IllegalArgumentException(
          "fixed validation batch size "
              + size
              + " must be between 1 and the "
              + validationIndices.length
              + " validation samples");
    }
    int[] first = Arrays.copyOf(validationIndices, size);
    return new Batches(data.trainImages(), data.trainLabels(), first, size, false, 0).next();
  }

  private void requireTrainBatch(int batchSize) {
    if (batchSize < 1 || batchSize > trainIndices.length) {
      throw new IllegalArgumentException(
          "batch size "
              + batchSize
              + " must be between 1 and the "
              + trainIndices.length
              + " training samples");
    }
  }

  /**
   * A seed for one epoch's shuffle. Mixing the base seed first keeps nearby base seeds from giving
   * overlapping epoch sequences.
   */
  private static long epochSeed(long shuffleSeed, int epoch) {
    return new SplittableRandom(shuffleSeed).nextLong() + epoch;
  }

  private static int[] identity(int n) {
    int[] indices = new int[n];
    Arrays.setAll(indices, i -> i);
    return indices;
  }

  /** Fisher-Yates. */
  private static void shuffle(int[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }
}
