package io.jitsparse.cli.evaluate;

import io.jitsparse.cli.report.SeedResult;
import io.jitsparse.protocol.fuzz.FileMutations;
import io.jitsparse.protocol.fuzz.FileMutations.Mutation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated {@code rows.jsonl} files of {@code evaluate --resume} into {@link EvaluationRows#read}
 * (issue 15, item 5): a good file of two rows truncated, flipped, padded and with hostile ints.
 * Reading may only return rows or refuse with an {@link IOException} naming the file.
 */
class EvaluationRowsFuzzTest {

  private static final Map<String, Object> SETTINGS = Map.of("model", "lenet5-caffe");
  private static Path dir;
  private static byte[] good;

  @BeforeContainer
  static void writeTwoRows() throws IOException {
    dir = Files.createTempDirectory("jitsparse-rows-fuzz");
    EvaluationRows rows = new EvaluationRows(dir, SETTINGS);
    for (long seed = 1; seed <= 2; seed++) {
      rows.append(
          "gmp-cubic-erk",
          new SeedResult(
              seed, 0.85, 0.05, 2e12, 4210, List.of(0L, 421L), List.of(new double[] {1, 0.5})));
    }
    good = Files.readAllBytes(rows.file());
  }

  @AfterContainer
  static void deleteIt() throws IOException {
    FileMutations.deleteTree(dir);
  }

  @Property
  void mutatedRowsAreReadOrRefusedByName(@ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    read(FileMutations.apply(good, mutations));
  }

  /**
   * Regression (found by {@link #mutatedRowsAreReadOrRefusedByName}): a byte that is not UTF-8
   * failed the read with a MalformedInputException ("Input length = 1") naming no file.
   */
  @Example
  void aFileThatIsNotUtf8IsRefusedByName() throws IOException {
    byte[] bad = good.clone();
    bad[1] = (byte) 0xff;
    read(bad);
  }

  private static void read(byte[] content) throws IOException {
    Path out = Files.createTempDirectory(dir, "out");
    Files.write(out.resolve(EvaluationRows.FILE), content);
    FileMutations.decodeFile(
        out.resolve(EvaluationRows.FILE),
        IOException.class,
        f -> new EvaluationRows(out, SETTINGS).read());
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return FileMutations.mutations();
  }
}
