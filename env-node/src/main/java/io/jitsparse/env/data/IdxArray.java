package io.jitsparse.env.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The contents of one IDX file of unsigned bytes: its dimensions, its data in row-major order, and
 * the SHA-256 of the file as stored on disk (compressed or not).
 *
 * <p>The arrays are shared, not copied, because image files are tens of megabytes; callers must not
 * modify them.
 *
 * @param dims the dimensions from the header, outermost (item count) first
 * @param data the data bytes, {@code product(dims)} of them
 * @param sha256 lower-case hex SHA-256 of the file's bytes on disk
 */
public record IdxArray(int[] dims, byte[] data, String sha256) {

  /** Number of items: the first dimension. */
  public int count() {
    return dims[0];
  }

  /** Bytes per item: the product of the dimensions after the first (1 for a vector). */
  public int itemSize() {
    int size = 1;
    for (int i = 1; i < dims.length; i++) {
      size *= dims[i];
    }
    return size;
  }

  /** The dimensions after the first joined by {@code x}, e.g. {@code 28x28}; empty for vectors. */
  public String itemShape() {
    return Arrays.stream(dims).skip(1).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }

  @Override
  public String toString() {
    return "IdxArray[dims=" + Arrays.toString(dims) + ", sha256=" + sha256 + "]";
  }
}
