package io.jitsparse.env.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  private static final int IMAGES = 3;
  private static final int[] IMAGE_DIMS = {
    IMAGES, FashionMnist.IMAGE_ROWS, FashionMnist.IMAGE_COLUMNS
  };

  @TempDir Path dir;

  @Test
  void readsRawImagesWithDimsDataAndHash() throws IOException {
    Path file = IdxFixtureFiles.writeImages(dir.resolve("images"), IMAGES, false);

    IdxArray array = IdxReader.readImages(file);

    assertArrayEquals(IMAGE_DIMS, array.dims());
    assertArrayEquals(IdxFixtureFiles.pixels(IMAGES), array.data());
    assertEquals(IMAGES, array.count());
    assertEquals(FashionMnist.PIXELS, array.itemSize());
    assertEquals(IdxFixtureFiles.sha256(file), array.sha256());
  }

  @Test
  void detectsGzipByMagicBytesNotByNameAndHashesTheCompressedFile() throws IOException {
    // Named without .gz on purpose: detection must look at the content.
    Path file = IdxFixtureFiles.writeImages(dir.resolve("images-no-suffix"), IMAGES, true);
    byte[] onDisk = Files.readAllBytes(file);
    assertEquals(0x1f, onDisk[0] & 0xff, "fixture should really be gzipped");

    IdxArray array = IdxReader.readImages(file);

    assertArrayEquals(IMAGE_DIMS, array.dims());
    assertArrayEquals(IdxFixtureFiles.pixels(IMAGES), array.data());
    assertEquals(IdxFixtureFiles.sha256(file), array.sha256());
  }

  @Test
  void readsRawFileNamedGz() throws IOException {
    Path file = IdxFixtureFiles.writeLabels(dir.resolve("labels.gz"), IMAGES, false);

    IdxArray array = IdxReader.readLabels(file);

    assertArrayEquals(new int[] {IMAGES}, array.dims());
    assertArrayEquals(IdxFixtureFiles.labels(IMAGES), array.data());
  }

  @Test
  void truncatedDataIsReportedWithDeclaredAndActualSizes() throws IOException {
    byte[] missingOneImage =
        Arrays.copyOf(IdxFixtureFiles.pixels(IMAGES), (IMAGES - 1) * FashionMnist.PIXELS);
    Path file =
        IdxFixtureFiles.write(
            dir.resolve("short-images"),
            IdxFixtureFiles.idxBytes(IdxReader.IMAGES_MAGIC, IMAGE_DIMS, missingOneImage),
            false);

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("short-images"), e.getMessage());
    assertTrue(
        e.getMessage().contains("truncated: header says 3 items of 28x28 (2352 bytes)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("only 1568 bytes"), e.getMessage());
    assertEquals(file, e.file());
  }

  @Test
  void truncatedGzippedDataSaysAfterGunzip() throws IOException {
    byte[] missingOneImage =
        Arrays.copyOf(IdxFixtureFiles.pixels(IMAGES), (IMAGES - 1) * FashionMnist.PIXELS);
    Path file =
        IdxFixtureFiles.write(
            dir.resolve("short-images.gz"),
            IdxFixtureFiles.idxBytes(IdxReader.IMAGES_MAGIC, IMAGE_DIMS, missingOneImage),
            true);

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("short-images.gz: truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("(after gunzip)"), e.getMessage());
  }

  @Test
  void fileEndingInsideHeaderIsTruncated() throws IOException {
    Path file = Files.write(dir.resolve("stub"), new byte[] {0, 0, 8, 3, 0, 0});

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("stub: truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void wrongMagicNamesExpectedAndFound() throws IOException {
    Path file = IdxFixtureFiles.writeLabels(dir.resolve("labels-not-images"), IMAGES, true);

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("labels-not-images"), e.getMessage());
    assertTrue(e.getMessage().contains("wrong magic number"), e.getMessage());
    assertTrue(
        e.getMessage().contains("expected 0x00000803 (unsigned byte, 3 dims)"), e.getMessage());
    assertTrue(e.getMessage().contains("found 0x00000801 (unsigned byte, 1 dims)"), e.getMessage());
  }

  @Test
  void nonByteTypeIsRejected() throws IOException {
    int floatImagesMagic = 0x00000d03;
    Path file =
        IdxFixtureFiles.write(
            dir.resolve("float-images"),
            IdxFixtureFiles.idxBytes(floatImagesMagic, IMAGE_DIMS, IdxFixtureFiles.pixels(IMAGES)),
            false);

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().contains("found 0x00000d03"), e.getMessage());
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    int extra = 5;
    byte[] tooMuch = Arrays.copyOf(IdxFixtureFiles.labels(IMAGES), IMAGES + extra);
    Path file =
        IdxFixtureFiles.write(
            dir.resolve("long-labels.gz"),
            IdxFixtureFiles.idxBytes(IdxReader.LABELS_MAGIC, new int[] {IMAGES}, tooMuch),
            true);

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readLabels(file));

    assertTrue(e.getMessage().contains("long-labels.gz: trailing data"), e.getMessage());
    assertTrue(e.getMessage().contains("header says 3 items (3 bytes)"), e.getMessage());
    assertTrue(e.getMessage().contains("5 more than expected"), e.getMessage());
  }

  @Test
  void corruptGzipIsReported() throws IOException {
    byte[] gzip = Files.readAllBytes(IdxFixtureFiles.writeLabels(dir.resolve("ok"), IMAGES, true));
    Path file = Files.write(dir.resolve("broken.gz"), Arrays.copyOf(gzip, gzip.length / 2));

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readLabels(file));

    assertTrue(e.getMessage().startsWith(file + ": truncated or corrupt gzip"), e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent");

    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readLabels(file));

    assertTrue(e.getMessage().contains("absent: no such file"), e.getMessage());
  }
}
