package io.jitsparse.agent.learner;

import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.protocol.fuzz.FileMutations;
import io.jitsparse.protocol.fuzz.FileMutations.Mutation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated learner checkpoints into {@link LearnerCheckpoint#read} (issue 15, item 5): the whole
 * file mutated, and one entry of the zip (counters JSON, online or target Q-network, optimiser
 * state) mutated or replaced by hostile JSON inside an intact zip. Reading may only refuse with an
 * {@link IOException} naming the file. The Q-network bytes are also a policy snapshot's wire
 * payload, so {@link QFunction#fromBytes} gets the same mutations and may only refuse with an
 * {@link IllegalArgumentException}.
 */
class LearnerCheckpointFuzzTest {

  private static final QLearner.Config CONFIG =
      new QLearner.Config(new int[] {4}, 1e-2, 1.0, 3, 17);
  private static final String CHECKPOINT = "policy-000000000001.ckpt";
  private static final String COUNTERS = "checkpoint.json";
  private static final int LOCAL_HEADER_NAME_OFFSET = 30;
  private static Path dir;
  private static byte[] good;
  private static Map<String, byte[]> entries;

  @BeforeContainer
  static void writeAGoodCheckpoint() throws IOException {
    dir = Files.createTempDirectory("jitsparse-learner-fuzz");
    try (QLearner learner = new QLearner(CONFIG)) {
      Path file =
          new LearnerCheckpoint(1, learner.updates(), 2, 3, learner.state(), Map.of("run_id", "r"))
              .write(dir, 1);
      good = Files.readAllBytes(file);
    }
    entries = new LinkedHashMap<>();
    try (InputStream in = new java.io.ByteArrayInputStream(good);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    }
  }

  @AfterContainer
  static void deleteIt() throws IOException {
    FileMutations.deleteTree(dir);
  }

  @Property
  void mutatedFilesAreReadOrRefusedByName(@ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    read(FileMutations.apply(good, mutations));
  }

  @Property
  void mutatedEntriesAreReadOrRefusedByName(
      @ForAll("entryNames") String entry, @ForAll("mutations") List<Mutation> mutations)
      throws IOException {
    read(zipWith(entry, FileMutations.apply(entries.get(entry), mutations)));
  }

  @Property
  void hostileCountersAreRefusedByName(@ForAll("json") String json) throws IOException {
    read(zipWith(COUNTERS, json.getBytes(StandardCharsets.UTF_8)));
  }

  @Property
  void mutatedQNetworkBytesAreRefusedAsIllegal(@ForAll("mutations") List<Mutation> mutations) {
    byte[] bytes = FileMutations.apply(entries.get("online.qnet"), mutations);
    try {
      QFunction.fromBytes(bytes);
    } catch (IllegalArgumentException refused) {
      // the explorer counts this as a rejected policy-format
    }
  }

  /**
   * Regression (found by {@link #hostileCountersAreRefusedByName}): a {@code counters.json} of JSON
   * {@code null} made the reader throw a NullPointerException instead of naming the file.
   */
  @Example
  void nullCountersAreRefusedByName() throws IOException {
    read(zipWith(COUNTERS, "null".getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Regression (found by {@link #mutatedEntriesAreReadOrRefusedByName}): an optimiser entry cut
   * short failed with an EOFException that named neither the file nor the entry.
   */
  @Example
  void aTruncatedOptimiserEntryIsRefusedByName() throws IOException {
    byte[] optimiser = entries.get("optimizer.bin");
    read(zipWith("optimizer.bin", java.util.Arrays.copyOf(optimiser, optimiser.length / 2)));
  }

  /**
   * Regression (found by {@link #mutatedFilesAreReadOrRefusedByName}): a zip entry name that is not
   * UTF-8 made {@code ZipInputStream} throw an IllegalArgumentException, which {@link
   * LearnerCheckpoint#latest} does not skip: the learner stopped instead of taking an older file.
   */
  @Example
  void anEntryNameThatIsNotUtf8IsRefusedByName() throws IOException {
    byte[] bad = good.clone();
    // The first local header's name starts at offset 30 of the file.
    bad[LOCAL_HEADER_NAME_OFFSET] = (byte) 0xff;
    read(bad);
  }

  private static void read(byte[] content) throws IOException {
    FileMutations.decode(CHECKPOINT, content, IOException.class, LearnerCheckpoint::read);
  }

  /** The good checkpoint with {@code name}'s content replaced. */
  private static byte[] zipWith(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getKey().equals(name) ? content : e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return FileMutations.mutations();
  }

  @Provide
  Arbitrary<String> entryNames() {
    return Arbitraries.of(List.copyOf(entries.keySet()));
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
            "{\"format\":null}",
            "{\"format\":\"1\"}",
            "{\"format\":1}",
            "{\"format\":1,\"updates\":null}",
            "{\"format\":1,\"updates\":\"x\"}",
            "{\"format\":1,\"updates\":-1,\"policy_version\":1e400,\"transitions\":1,"
                + "\"episodes\":1}",
            "{\"format\":1,\"updates\":1,\"policy_version\":1,\"transitions\":1,\"episodes\":1,"
                + "\"info\":[1]}"),
        Arbitraries.strings().ofMaxLength(40));
  }
}
