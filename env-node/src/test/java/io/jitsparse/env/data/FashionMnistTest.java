package io.jitsparse.env.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static final int TRAIN = 12;
  private static final int TEST = 5;
  private static final String GZ = FashionMnist.GZIP_SUFFIX;

  @TempDir Path dir;

  @Test
  void loadsTinyFixtureWithoutHashVerification() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);

    FashionMnist data = FashionMnist.load(dir, false);

    assertEquals(TRAIN, data.trainCount());
    assertEquals(TEST, data.testCount());
    assertArrayEquals(IdxFixtureFiles.pixels(TRAIN), data.trainImages());
    assertArrayEquals(IdxFixtureFiles.labels(TRAIN), data.trainLabels());
    assertArrayEquals(IdxFixtureFiles.pixels(TEST), data.testImages());
    assertArrayEquals(IdxFixtureFiles.labels(TEST), data.testLabels());
    assertEquals(dir.toString(), data.source());
    assertEquals(
        List.of(
            FashionMnist.TRAIN_IMAGES + GZ,
            FashionMnist.TRAIN_LABELS + GZ,
            FashionMnist.TEST_IMAGES + GZ,
            FashionMnist.TEST_LABELS + GZ),
        List.copyOf(data.fileHashes().keySet()));
    assertEquals(
        IdxFixtureFiles.sha256(dir.resolve(FashionMnist.TEST_LABELS + GZ)),
        data.fileHashes().get(FashionMnist.TEST_LABELS + GZ));
  }

  @Test
  void acceptsUncompressedFiles() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    Files.delete(dir.resolve(FashionMnist.TEST_IMAGES + GZ));
    IdxFixtureFiles.writeImages(dir.resolve(FashionMnist.TEST_IMAGES), TEST, false);

    FashionMnist data = FashionMnist.load(dir, false);

    assertArrayEquals(IdxFixtureFiles.pixels(TEST), data.testImages());
    assertTrue(
        data.fileHashes().containsKey(FashionMnist.TEST_IMAGES), data.fileHashes()::toString);
  }

  @Test
  void imageAndLabelCountMismatchNamesBothFiles() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    IdxFixtureFiles.writeLabels(dir.resolve(FashionMnist.TEST_LABELS + GZ), TEST - 1, true);

    DataFileException e =
        assertThrows(DataFileException.class, () -> FashionMnist.load(dir, false));

    assertTrue(
        e.getMessage().contains(FashionMnist.TEST_LABELS + GZ + ": count mismatch: 4 labels"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains(FashionMnist.TEST_IMAGES + GZ + " holds 5 images"), e.getMessage());
  }

  @Test
  void labelOutsideTheTenClassesIsRejected() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    byte[] labels = IdxFixtureFiles.labels(TRAIN);
    labels[3] = (byte) FashionMnist.CLASSES;
    IdxFixtureFiles.write(
        dir.resolve(FashionMnist.TRAIN_LABELS + GZ),
        IdxFixtureFiles.idxBytes(IdxReader.LABELS_MAGIC, new int[] {TRAIN}, labels),
        true);

    DataFileException e =
        assertThrows(DataFileException.class, () -> FashionMnist.load(dir, false));

    assertTrue(e.getMessage().contains(FashionMnist.TRAIN_LABELS + GZ), e.getMessage());
    assertTrue(e.getMessage().contains("label 10 at index 3 is outside 0..9"), e.getMessage());
  }

  @Test
  void imagesOtherThan28x28AreRejected() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    int side = 32;
    IdxFixtureFiles.write(
        dir.resolve(FashionMnist.TRAIN_IMAGES + GZ),
        IdxFixtureFiles.idxBytes(
            IdxReader.IMAGES_MAGIC, new int[] {TRAIN, side, side}, new byte[TRAIN * side * side]),
        true);

    DataFileException e =
        assertThrows(DataFileException.class, () -> FashionMnist.load(dir, false));

    assertTrue(
        e.getMessage()
            .contains(
                FashionMnist.TRAIN_IMAGES + GZ + ": expected images of 28x28 but found 32x32"),
        e.getMessage());
  }

  @Test
  void missingFileNamesDirectoryAndFile() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    Files.delete(dir.resolve(FashionMnist.TEST_LABELS + GZ));

    DataFileException e =
        assertThrows(DataFileException.class, () -> FashionMnist.load(dir, false));

    assertTrue(
        e.getMessage().startsWith(dir + ": missing " + FashionMnist.TEST_LABELS), e.getMessage());
  }

  @Test
  void hashVerificationRejectsOtherContentNamingFileAndBothHashes() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    Path trainImages = dir.resolve(FashionMnist.TRAIN_IMAGES + GZ);

    DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.load(dir, true));

    assertTrue(e.getMessage().contains(trainImages + ": SHA-256 mismatch"), e.getMessage());
    assertTrue(
        e.getMessage().contains(FashionMnist.KNOWN_SHA256.get(FashionMnist.TRAIN_IMAGES + GZ)),
        e.getMessage());
    assertTrue(e.getMessage().contains(IdxFixtureFiles.sha256(trainImages)), e.getMessage());
  }

  @Test
  void hashVerificationNeedsTheGzippedFiles() throws IOException {
    IdxFixtureFiles.writeDataSet(dir, TRAIN, TEST);
    Files.delete(dir.resolve(FashionMnist.TRAIN_IMAGES + GZ));
    IdxFixtureFiles.writeImages(dir.resolve(FashionMnist.TRAIN_IMAGES), TRAIN, false);

    DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.load(dir, true));

    assertTrue(
        e.getMessage().contains(FashionMnist.TRAIN_IMAGES + ": cannot verify"), e.getMessage());
  }

  @Test
  void installedDebianPackageMatchesKnownHashes() {
    Path system = FashionMnistLocator.SYSTEM_DIR;
    if (!Files.isDirectory(system)) {
      if ("true".equals(System.getenv("CI"))) {
        fail(system + " is missing; CI must install the Debian package dataset-fashion-mnist");
      }
      Assumptions.abort(system + " is absent (install dataset-fashion-mnist to run this test)");
    }

    FashionMnist data = FashionMnist.load(system, true);

    assertEquals(FashionMnist.OFFICIAL_TRAIN_COUNT, data.trainCount());
    assertEquals(FashionMnist.OFFICIAL_TEST_COUNT, data.testCount());
    assertEquals(
        FashionMnist.OFFICIAL_TRAIN_COUNT * FashionMnist.PIXELS, data.trainImages().length);
    assertEquals(FashionMnist.OFFICIAL_TEST_COUNT * FashionMnist.PIXELS, data.testImages().length);
    assertEquals(FashionMnist.KNOWN_SHA256, data.fileHashes());
    // Fashion-MNIST is exactly balanced: 6000 training and 1000 test images per class.
    assertArrayEquals(
        filled(FashionMnist.OFFICIAL_TRAIN_COUNT / FashionMnist.CLASSES),
        classCounts(data.trainLabels()));
    assertArrayEquals(
        filled(FashionMnist.OFFICIAL_TEST_COUNT / FashionMnist.CLASSES),
        classCounts(data.testLabels()));
  }

  private static int[] classCounts(byte[] labels) {
    int[] counts = new int[FashionMnist.CLASSES];
    for (byte label : labels) {
      counts[label]++;
    }
    return counts;
  }

  private static int[] filled(int value) {
    int[] values = new int[FashionMnist.CLASSES];
    java.util.Arrays.fill(values, value);
    return values;
  }
}
