package io.jitsparse.bench;

import io.jitsparse.env.data.Batch;
import io.jitsparse.env.data.Batches;
import io.jitsparse.env.data.DataSplit;
import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed set of real Fashion-MNIST training batches (normalised, NHWC, one-hot, as {@link Batches}
 * makes them), built once and cycled through, so that timed loops measure training and not batch
 * assembly. The same batches can be written to files for the PyTorch peer.
 */
final class BatchPool {

  /** Where the data is looked for (and fetched into) when the system copy is absent. */
  static final Path DATA_HOME = FashionMnistLocator.DEFAULT_PROJECT_DIR;

  private final List<Batch> batches;
  private int next;

  private BatchPool(List<Batch> batches) {
    this.batches = batches;
  }

  /**
   * The first {@code count} batches of epoch 0 of the default split.
   *
   * @param seed seeds the split and the epoch's shuffle
   */
  static BatchPool load(int count, int batchSize, long seed) {
    DataSplit split = new DataSplit(data(), seed);
    Batches epoch = split.batches(batchSize, seed, 0);
    if (epoch.batchCount() < count) {
      throw new IllegalArgumentException(
          "the pool wants " + count + " batches but an epoch has " + epoch.batchCount());
    }
    List<Batch> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(epoch.next());
    }
    return new BatchPool(out);
  }

  private static FashionMnist data;

  /** The data set, loaded once per process. */
  static synchronized FashionMnist data() {
    if (data == null) {
      data = new FashionMnistLocator(DATA_HOME, System.out::println).load(null);
    }
    return data;
  }

  /** The next batch, cycling. */
  Batch next() {
    Batch b = batches.get(next);
    next = (next + 1) % batches.size();
    return b;
  }

  /** Batch {@code i}. */
  Batch get(int i) {
    return batches.get(i);
  }

  /** Number of batches. */
  int size() {
    return batches.size();
  }

  /** Samples per batch. */
  int batchSize() {
    return batches.get(0).size();
  }

  /**
   * Writes the pool for the PyTorch peer: {@code features.f32} (float32 little-endian, NHWC, batch
   * after batch) and {@code labels.i32} (int32 little-endian class indices).
   *
   * @return the two files, features first
   */
  List<Path> export(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path features = dir.resolve("features.f32");
    Path labels = dir.resolve("labels.i32");
    try (OutputStream f = Files.newOutputStream(features);
        OutputStream l = Files.newOutputStream(labels)) {
      for (Batch b : batches) {
        float[] values = b.features().dup().data().asFloat();
        ByteBuffer fb =
            ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        fb.asFloatBuffer().put(values);
        f.write(fb.array());
        ByteBuffer lb =
            ByteBuffer.allocate(b.classes().length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        lb.asIntBuffer().put(b.classes());
        l.write(lb.array());
      }
    }
    return List.of(features, labels);
  }
}
