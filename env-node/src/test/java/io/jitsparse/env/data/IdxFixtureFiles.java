package io.jitsparse.env.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files and Fashion-MNIST-shaped directories for tests. */
final class IdxFixtureFiles {

  private IdxFixtureFiles() {}

  /** The IDX encoding of a header plus data, uncompressed. */
  static byte[] idxBytes(int magic, int[] dims, byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int dim : dims) {
        out.writeInt(dim);
      }
      out.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  /** Writes {@code content}, gzipped or not, to {@code file}. */
  static Path write(Path file, byte[] content, boolean gzip) throws IOException {
    if (!gzip) {
      return Files.write(file, content);
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
    return file;
  }

  /**
   * Deterministic pixels for {@code count} 28x28 images; image i's pixel p is (i * 7 + p) mod 256.
   */
  static byte[] pixels(int count) {
    byte[] pixels = new byte[count * FashionMnist.PIXELS];
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < FashionMnist.PIXELS; p++) {
        pixels[i * FashionMnist.PIXELS + p] = (byte) (i * 7 + p);
      }
    }
    return pixels;
  }

  /** Labels {@code i mod 10}. */
  static byte[] labels(int count) {
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % FashionMnist.CLASSES);
    }
    return labels;
  }

  static Path writeImages(Path file, int count, boolean gzip) throws IOException {
    int[] dims = {count, FashionMnist.IMAGE_ROWS, FashionMnist.IMAGE_COLUMNS};
    return write(file, idxBytes(IdxReader.IMAGES_MAGIC, dims, pixels(count)), gzip);
  }

  static Path writeLabels(Path file, int count, boolean gzip) throws IOException {
    return write(file, idxBytes(IdxReader.LABELS_MAGIC, new int[] {count}, labels(count)), gzip);
  }

  /**
   * Writes the four gzipped files (with .gz names) of a tiny consistent data set into {@code dir}.
   */
  static Path writeDataSet(Path dir, int trainCount, int testCount) throws IOException {
    Files.createDirectories(dir);
    String gz = FashionMnist.GZIP_SUFFIX;
    writeImages(dir.resolve(FashionMnist.TRAIN_IMAGES + gz), trainCount, true);
    writeLabels(dir.resolve(FashionMnist.TRAIN_LABELS + gz), trainCount, true);
    writeImages(dir.resolve(FashionMnist.TEST_IMAGES + gz), testCount, true);
    writeLabels(dir.resolve(FashionMnist.TEST_LABELS + gz), testCount, true);
    return dir;
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
