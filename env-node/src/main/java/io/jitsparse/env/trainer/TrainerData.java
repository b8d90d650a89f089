package io.jitsparse.env.trainer;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.data.FashionMnistLocator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fashion-MNIST loaded once per node and shared read-only by all its trainers: the byte arrays are
 * never written after loading, so sharing them across trainer threads is safe and saves loading
 * (and holding) 55 MB per trainer. Each trainer builds its own {@code DataSplit} over them.
 */
public final class TrainerData {

  private TrainerData() {}

  /**
   * A supplier that locates and loads the data on first use (on the first trainer's thread, not the
   * caller's) and keeps it; later calls return the same instance.
   *
   * @param dataHome project-local data folder ({@code jitsparse.baseline.data-home})
   * @param testSamples test samples to keep (0 = all)
   * @param log receives the locator's progress lines
   */
  public static Supplier<FashionMnist> shared(
      Path dataHome, int testSamples, Consumer<String> log) {
    return memoize(() -> limitTest(new FashionMnistLocator(dataHome, log).load(null), testSamples));
  }

  /** {@code supplier}, called at most once (thread-safe). */
  public static <T> Supplier<T> memoize(Supplier<T> supplier) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = supplier.get();
        }
        return value;
      }
    };
  }

  /** The data with only the first {@code testSamples} test images (0 or more than all: all). */
  public static FashionMnist limitTest(FashionMnist data, int testSamples) {
    if (testSamples <= 0 || testSamples >= data.testCount()) {
      return data;
    }
    return new FashionMnist(
        data.trainImages(),
        data.trainLabels(),
        Arrays.copyOf(data.testImages(), testSamples * FashionMnist.PIXELS),
        Arrays.copyOf(data.testLabels(), testSamples),
        data.source(),
        data.fileHashes());
  }
}
