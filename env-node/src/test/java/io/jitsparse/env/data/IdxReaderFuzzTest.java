package io.jitsparse.env.data;

import io.jitsparse.protocol.fuzz.FileMutations;
import io.jitsparse.protocol.fuzz.FileMutations.Mutation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Mutated Fashion-MNIST files into {@link IdxReader} (issue 15, item 5): truncated, flipped, padded
 * and hostile-header copies of a good images and labels file, raw and gzipped, and random bytes.
 * The reader may only refuse with {@link DataFileException} naming the file.
 */
class IdxReaderFuzzTest {

  private static final int IMAGES = 3;
  private static final int MAX_RANDOM_BYTES = 256;
  private static final byte[] IMAGES_FILE =
      IdxFixtureFiles.idxBytes(
          IdxReader.IMAGES_MAGIC,
          new int[] {IMAGES, FashionMnist.IMAGE_ROWS, FashionMnist.IMAGE_COLUMNS},
          IdxFixtureFiles.pixels(IMAGES));
  private static final byte[] LABELS_FILE =
      IdxFixtureFiles.idxBytes(
          IdxReader.LABELS_MAGIC, new int[] {IMAGES}, IdxFixtureFiles.labels(IMAGES));

  @Property
  void mutatedFilesAreReadOrRefusedByName(
      @ForAll("mutations") List<Mutation> mutations, @ForAll boolean gzip, @ForAll boolean labels)
      throws IOException {
    byte[] raw = labels ? LABELS_FILE : IMAGES_FILE;
    FileMutations.decode(
        (labels ? "train-labels-idx1-ubyte" : "train-images-idx3-ubyte") + (gzip ? ".gz" : ""),
        FileMutations.apply(gzip ? gzip(raw) : raw, mutations),
        DataFileException.class,
        labels ? IdxReader::readLabels : IdxReader::readImages);
  }

  @Property
  void randomBytesAreRefusedByName(@ForAll @Size(max = MAX_RANDOM_BYTES) byte[] bytes)
      throws IOException {
    FileMutations.decode(
        "t10k-images-idx3-ubyte", bytes, DataFileException.class, IdxReader::readImages);
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return FileMutations.mutations();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }
}
