package io.jitsparse.env.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Iterates over samples in a fixed visiting order in mini-batches, building each {@link Batch} on
 * demand from the raw bytes so only one batch at a time is held as floats.
 *
 * <p>Training iterators drop the last incomplete batch (like PyTorch's {@code drop_last=True}) so
 * every step sees the same batch size; evaluation iterators keep it so every sample is counted.
 */
public final class Batches implements Iterator<Batch> {

  private static final int CHANNELS = 1;

  /** {@code (pixel / 255 - 0.5) / 0.5} for every byte value, so batches need no per-pixel math. */
  private static final float[] NORMALISED = new float[1 << Byte.SIZE];

  private static final float PIXEL_MAX = 255f;
  private static final float CENTRE = 0.5f;
  private static final float SPREAD = 0.5f;

  static {
    for (int pixel = 0; pixel < NORMALISED.length; pixel++) {
      NORMALISED[pixel] = (pixel / PIXEL_MAX - CENTRE) / SPREAD;
    }
  }

  private final byte[] images;
  private final byte[] labels;
  private final int[] order;
  private final int batchSize;
  private final int batchCount;
  private int nextBatch;
  private float[] featureBuffer = new float[0];
  private float[] labelBuffer = new float[0];

  /**
   * @param images pixels, {@link FashionMnist#PIXELS} bytes per sample
   * @param labels one class byte per sample
   * @param order the sample indices in visiting order
   * @param batchSize samples per batch
   * @param dropLast whether to skip a final batch smaller than {@code batchSize}
   * @param startBatch the first batch to yield, for resuming (0 to {@link #batchCount()})
   */
  Batches(
      byte[] images, byte[] labels, int[] order, int batchSize, boolean dropLast, int startBatch) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.images = images;
    this.labels = labels;
    this.order = order;
    this.batchSize = batchSize;
    this.batchCount = dropLast ? order.length / batchSize : ceilDiv(order.length, batchSize);
    if (startBatch < 0 || startBatch > batchCount) {
      throw new IllegalArgumentException(
          "start batch " + startBatch + " is outside 0.." + batchCount);
    }
    this.nextBatch = startBatch;
  }

  /** The normalised value of a raw pixel byte: 0 maps to -1, 255 to 1. */
  public static float normalise(int pixel) {
    return NORMALISED[pixel];
  }

  /** Batches this iterator yields in total, counting any already consumed or skipped. */
  public int batchCount() {
    return batchCount;
  }

  /** Index of the batch the next call to {@link #next()} returns; a checkpoint stores this. */
  public int nextBatchIndex() {
    return nextBatch;
  }

  @Override
  public boolean hasNext() {
    return nextBatch < batchCount;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + batchCount + " batches consumed");
    }
    int from = nextBatch * batchSize;
    int size = Math.min(batchSize, order.length - from);
    nextBatch++;
    return build(Arrays.copyOfRange(order, from, from + size));
  }

  private Batch build(int[] samples) {
    int size = samples.length;
    int pixels = FashionMnist.PIXELS;
    int classCount = FashionMnist.CLASSES;
    // Nd4j.create copies the data off-heap, so the buffers can be reused for the next batch.
    if (featureBuffer.length != size * pixels) {
      featureBuffer = new float[size * pixels];
      labelBuffer = new float[size * classCount];
    } else {
      Arrays.fill(labelBuffer, 0f);
    }
    int[] classes = new int[size];
    for (int row = 0; row < size; row++) {
      int sample = samples[row];
      int imageStart = sample * pixels;
      int rowStart = row * pixels;
      for (int p = 0; p < pixels; p++) {
        featureBuffer[rowStart + p] = NORMALISED[Byte.toUnsignedInt(images[imageStart + p])];
      }
      classes[row] = labels[sample];
      labelBuffer[row * classCount + classes[row]] = 1f;
    }
    INDArray features =
        Nd4j.create(
            featureBuffer,
            new long[] {size, FashionMnist.IMAGE_ROWS, FashionMnist.IMAGE_COLUMNS, CHANNELS},
            DataType.FLOAT);
    INDArray oneHot = Nd4j.create(labelBuffer, new long[] {size, classCount}, DataType.FLOAT);
    return new Batch(features, oneHot, classes, samples);
  }

  private static int ceilDiv(int numerator, int denominator) {
    return (numerator + denominator - 1) / denominator;
  }
}
