package io.jitsparse.env.method;

import io.jitsparse.protocol.fuzz.FileMutations;
import io.jitsparse.protocol.fuzz.FileMutations.Mutation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Mutated {@code schedule.csv} files into {@link RecordedSchedule} (issue 15, item 5): byte-level
 * mutations of a good file, and good rows whose fields are replaced by hostile tokens (NaN,
 * infinities, overflowing numbers, empty, unicode). Reading and then resolving the densities of the
 * file's layers may only refuse with {@link IllegalArgumentException} naming the file.
 */
class RecordedScheduleFuzzTest {

  private static final List<String> LAYERS = List.of("conv1", "conv2", "dense1", "dense2");
  private static final String GOOD =
      RecordedSchedule.HEADER
          + "\n0,conv1,1.0\n0,conv2,1.0\n0,dense1,1.0\n0,dense2,1.0\n"
          + "100,conv1,0.5\n100,conv2,0.4\n100,dense1,0.3\n100,dense2,0.9\n";

  @Property
  void mutatedBytesAreReadOrRefusedByName(@ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    decode(FileMutations.apply(GOOD.getBytes(StandardCharsets.UTF_8), mutations));
  }

  @Property
  void hostileFieldsAreRefusedByName(
      @ForAll @IntRange(min = 1, max = 8) int row,
      @ForAll @IntRange(min = 0, max = 2) int field,
      @ForAll("tokens") String token)
      throws IOException {
    List<String> lines = new ArrayList<>(List.of(GOOD.split("\n")));
    String[] f = lines.get(row).split(",", -1);
    f[field] = token;
    lines.set(row, String.join(",", f));
    decode(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
  }

  private static void decode(byte[] content) throws IOException {
    FileMutations.decode(
        "schedule.csv",
        content,
        IllegalArgumentException.class,
        file -> RecordedSchedule.read(file).densities(LAYERS));
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return FileMutations.mutations();
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            " ",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e309",
            "-0",
            "0",
            "-1",
            "0x10",
            "9223372036854775808",
            "-9223372036854775809",
            "1,5",
            "conv1",
            "\u00e9",
            "\uD83D\uDE00",
            "\u0000",
            "\"",
            "1.0000000000000002",
            "4.9e-324"),
        Arbitraries.strings().ofMaxLength(20),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf));
  }
}
