package io.jitsparse.env.train;

import io.jitsparse.protocol.fuzz.FileMutations;
import io.jitsparse.protocol.fuzz.FileMutations.Mutation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mutated checkpoints of {@code baseline --resume} into {@link Checkpoint} (issue 15, item 5):
 * {@code progress.json} and {@code arrays.bin} of a real checkpoint, truncated, flipped, padded and
 * with hostile counts, and progress files of hostile JSON. Reading may only refuse with an {@link
 * IOException} naming the file.
 */
class CheckpointFuzzTest {

  private static final String PROGRESS = "progress.json";
  private static final String ARRAYS = "arrays.bin";
  private static Path good;
  private static byte[] goodProgress;
  private static byte[] goodArrays;

  @BeforeContainer
  static void writeAGoodCheckpoint() throws IOException {
    good = Files.createTempDirectory("jitsparse-checkpoint-fuzz");
    Checkpoint.write(
        good,
        Map.of("w", Nd4j.rand(2, 3), "mask", Nd4j.ones(3)),
        new Checkpoint.Progress(10, 1, 2, 1e6, 3.5, Map.of("method", "dst", "density", 0.1)));
    goodProgress = Files.readAllBytes(good.resolve(Checkpoint.DIR).resolve(PROGRESS));
    goodArrays = Files.readAllBytes(good.resolve(Checkpoint.DIR).resolve(ARRAYS));
  }

  @AfterContainer
  static void deleteIt() throws IOException {
    FileMutations.deleteTree(good);
  }

  @Property
  void mutatedProgressIsReadOrRefusedByName(@ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    progress(FileMutations.apply(goodProgress, mutations));
  }

  @Property
  void hostileProgressJsonIsRefusedByName(@ForAll("json") String json) throws IOException {
    progress(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Property
  void mutatedArraysAreReadOrRefusedByName(@ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    runDir(ARRAYS, FileMutations.apply(goodArrays, mutations), Checkpoint::readArrays);
  }

  /**
   * Regression (found by {@link #hostileProgressJsonIsRefusedByName}): a {@code progress.json}
   * holding {@code null} was read as no progress at all, and {@code --resume} failed later with a
   * NullPointerException instead of naming the file.
   */
  @Example
  void aNullProgressIsRefusedByName() throws IOException {
    progress("null".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Regression (found by {@link #mutatedArraysAreReadOrRefusedByName}): a hostile int inside {@code
   * arrays.bin} reached ND4J's reader as a buffer length and crashed the JVM (SIGSEGV in {@code
   * Nd4jCpu.allocateDataBuffer}); the trailer's CRC now refuses the file first.
   */
  @Example
  void aHostileLengthInsideArraysIsRefusedBeforeNd4jReadsIt() throws IOException {
    for (int at = 0; at < goodArrays.length - Integer.BYTES; at += Integer.BYTES) {
      byte[] hostile = goodArrays.clone();
      java.nio.ByteBuffer.wrap(hostile).putInt(at, Integer.MAX_VALUE);
      runDir(ARRAYS, hostile, Checkpoint::readArrays);
    }
  }

  private static void progress(byte[] content) throws IOException {
    runDir(
        PROGRESS,
        content,
        dir -> {
          Checkpoint.Progress p = Checkpoint.readProgress(dir);
          p.settings().size();
        });
  }

  /** Puts {@code content} as {@code name} into a copy of the good checkpoint and reads it. */
  private static void runDir(String name, byte[] content, RunDirReader reader) throws IOException {
    Path dir = Files.createTempDirectory("jitsparse-checkpoint-fuzz");
    try {
      Path ckpt = Files.createDirectories(dir.resolve(Checkpoint.DIR));
      Files.write(ckpt.resolve(PROGRESS), goodProgress);
      Files.write(ckpt.resolve(ARRAYS), goodArrays);
      Files.write(ckpt.resolve(name), content);
      FileMutations.decodeFile(ckpt.resolve(name), IOException.class, f -> reader.read(dir));
    } finally {
      FileMutations.deleteTree(dir);
    }
  }

  private interface RunDirReader {
    void read(Path runDir) throws IOException;
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return FileMutations.mutations();
  }

  @Provide
  Arbitrary<String> json() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "null",
            "",
            "[]",
            "{}",
            "1",
            "\"x\"",
            "{\"step\":-1}",
            "{\"step\":\"x\"}",
            "{\"epoch\":1e400}",
            "{\"step\":9223372036854775808}",
            "{\"settings\":null}",
            "{\"settings\":[1]}",
            "{\"unknown\":1}",
            "{\"step\":NaN}",
            "{\"wallSeconds\":\"NaN\"}"),
        Arbitraries.strings().ofMaxLength(40));
  }
}
