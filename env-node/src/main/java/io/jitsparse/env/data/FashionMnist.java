package io.jitsparse.env.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST held in memory as raw bytes: 28x28 grey-scale images (one byte per pixel,
 * row-major) and their class labels 0..9, as read from the four standard IDX files.
 *
 * <p>The arrays are shared, not copied, because the training images alone are 47 MB; callers must
 * not modify them.
 *
 * @param trainImages training pixels, {@code trainCount * 784} bytes
 * @param trainLabels training labels, one byte 0..9 per image
 * @param testImages test pixels, {@code testCount * 784} bytes
 * @param testLabels test labels, one byte 0..9 per image
 * @param source the directory the files were read from
 * @param fileHashes file name as found on disk to lower-case hex SHA-256 of its bytes on disk, in
 *     the order train images, train labels, test images, test labels
 */
public record FashionMnist(
    byte[] trainImages,
    byte[] trainLabels,
    byte[] testImages,
    byte[] testLabels,
    String source,
    Map<String, String> fileHashes) {

  /** Image height in pixels. */
  public static final int IMAGE_ROWS = 28;

  /** Image width in pixels. */
  public static final int IMAGE_COLUMNS = 28;

  /** Pixels (bytes) per image. */
  public static final int PIXELS = IMAGE_ROWS * IMAGE_COLUMNS;

  /** Number of classes; labels are 0 to {@code CLASSES - 1}. */
  public static final int CLASSES = 10;

  /** Training images in the official data set. */
  public static final int OFFICIAL_TRAIN_COUNT = 60_000;

  /** Test images in the official data set. */
  public static final int OFFICIAL_TEST_COUNT = 10_000;

  /** Base name of the training images file. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

  /** Base name of the training labels file. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

  /** Base name of the test images file. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

  /** Base name of the test labels file. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  /** The four base names, in load order. */
  public static final List<String> FILE_NAMES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  /** Suffix of the gzipped files; only those have known hashes. */
  public static final String GZIP_SUFFIX = ".gz";

  /** The Debian package whose files the known hashes describe. */
  public static final String KNOWN_HASHES_PACKAGE =
      "dataset-fashion-mnist 0.0~git20200523.55506a9-1";

  /** SHA-256 of the gzipped files shipped in {@link #KNOWN_HASHES_PACKAGE}. */
  public static final Map<String, String> KNOWN_SHA256 =
      Map.of(
          TEST_IMAGES + GZIP_SUFFIX,
          "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
          TEST_LABELS + GZIP_SUFFIX,
          "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
          TRAIN_IMAGES + GZIP_SUFFIX,
          "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
          TRAIN_LABELS + GZIP_SUFFIX,
          "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056");

  private static final int LABELS_DIMS = 1;
  private static final int IMAGES_DIMS = 3;

  /** Number of training images. */
  public int trainCount() {
    return trainLabels.length;
  }

  /** Number of test images. */
  public int testCount() {
    return testLabels.length;
  }

  /**
   * Loads the four files from {@code dir}; each may be stored as {@code NAME} or {@code NAME.gz}
   * (the gzipped one is used when both exist).
   *
   * <p>Always checks the IDX structure, 28x28 images, labels in 0..9 and matching image and label
   * counts. With {@code verifyKnownHashes} it also requires the gzipped files of {@link
   * #KNOWN_HASHES_PACKAGE} byte for byte and hence the official 60000/10000 counts; without it any
   * consistent non-empty data is accepted, so small fixtures work.
   *
   * @throws DataFileException naming the file and the problem if anything is missing or wrong
   */
  public static FashionMnist load(Path dir, boolean verifyKnownHashes) {
    if (!Files.isDirectory(dir)) {
      throw new DataFileException(dir, "not a directory");
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    Part train = loadPart(dir, TRAIN_IMAGES, TRAIN_LABELS, verifyKnownHashes, hashes);
    Part test = loadPart(dir, TEST_IMAGES, TEST_LABELS, verifyKnownHashes, hashes);
    if (verifyKnownHashes) {
      // The hashes already pin the content; these checks only guard against a wrong hash table.
      requireCount(train, OFFICIAL_TRAIN_COUNT);
      requireCount(test, OFFICIAL_TEST_COUNT);
    }
    return new FashionMnist(
        train.images(),
        train.labels(),
        test.images(),
        test.labels(),
        dir.toString(),
        Collections.unmodifiableMap(hashes));
  }

  /**
   * The file {@code baseName} or {@code baseName.gz} in {@code dir}, preferring the gzipped one;
   * null when neither exists.
   */
  public static Path find(Path dir, String baseName) {
    Path gzipped = dir.resolve(baseName + GZIP_SUFFIX);
    if (Files.isRegularFile(gzipped)) {
      return gzipped;
    }
    Path raw = dir.resolve(baseName);
    return Files.isRegularFile(raw) ? raw : null;
  }

  /** True when {@code dir} holds all four files (raw or gzipped); their contents are not read. */
  public static boolean isPresentIn(Path dir) {
    return FILE_NAMES.stream().allMatch(name -> find(dir, name) != null);
  }

  /** One half of the data set: images and labels, plus the labels file for messages. */
  private record Part(byte[] images, byte[] labels, Path labelsFile) {}

  private static Part loadPart(
      Path dir,
      String imagesName,
      String labelsName,
      boolean verifyKnownHashes,
      Map<String, String> hashes) {
    Path imagesFile = require(dir, imagesName, verifyKnownHashes);
    Path labelsFile = require(dir, labelsName, verifyKnownHashes);

    IdxArray images = IdxReader.read(imagesFile, IdxReader.IMAGES_MAGIC);
    checkAndRecordHash(imagesFile, images, verifyKnownHashes, hashes);
    if (images.dims().length != IMAGES_DIMS
        || images.dims()[1] != IMAGE_ROWS
        || images.dims()[2] != IMAGE_COLUMNS) {
      throw new DataFileException(
          imagesFile,
          "expected images of "
              + IMAGE_ROWS
              + "x"
              + IMAGE_COLUMNS
              + " but found "
              + images.itemShape());
    }
    if (images.count() == 0) {
      throw new DataFileException(imagesFile, "holds no images");
    }

    IdxArray labels = IdxReader.read(labelsFile, IdxReader.LABELS_MAGIC);
    checkAndRecordHash(labelsFile, labels, verifyKnownHashes, hashes);
    if (labels.dims().length != LABELS_DIMS) {
      throw new DataFileException(labelsFile, "expected a vector of labels");
    }
    if (labels.count() != images.count()) {
      throw new DataFileException(
          labelsFile,
          "count mismatch: "
              + labels.count()
              + " labels but "
              + imagesFile.getFileName()
              + " holds "
              + images.count()
              + " images");
    }
    byte[] labelBytes = labels.data();
    for (int i = 0; i < labelBytes.length; i++) {
      int label = Byte.toUnsignedInt(labelBytes[i]);
      if (label >= CLASSES) {
        throw new DataFileException(
            labelsFile, "label " + label + " at index " + i + " is outside 0.." + (CLASSES - 1));
      }
    }
    return new Part(images.data(), labelBytes, labelsFile);
  }

  private static Path require(Path dir, String baseName, boolean verifyKnownHashes) {
    Path file = find(dir, baseName);
    if (file == null) {
      throw new DataFileException(
          dir, "missing " + baseName + " (or " + baseName + GZIP_SUFFIX + ")");
    }
    if (verifyKnownHashes && !file.getFileName().toString().endsWith(GZIP_SUFFIX)) {
      throw new DataFileException(
          file,
          "cannot verify: the known SHA-256 is for "
              + baseName
              + GZIP_SUFFIX
              + " as shipped in "
              + KNOWN_HASHES_PACKAGE
              + ", but only the uncompressed file is present");
    }
    return file;
  }

  private static void checkAndRecordHash(
      Path file, IdxArray array, boolean verifyKnownHashes, Map<String, String> hashes) {
    String name = file.getFileName().toString();
    if (verifyKnownHashes) {
      String expected = KNOWN_SHA256.get(name);
      if (!array.sha256().equals(expected)) {
        throw new DataFileException(
            file,
            "SHA-256 mismatch: expected "
                + expected
                + " ("
                + KNOWN_HASHES_PACKAGE
                + ") but the file has "
                + array.sha256());
      }
    }
    hashes.put(name, array.sha256());
  }

  private static void requireCount(Part part, int expected) {
    if (part.labels().length != expected) {
      throw new DataFileException(
          part.labelsFile(), "expected " + expected + " samples but found " + part.labels().length);
    }
  }
}
