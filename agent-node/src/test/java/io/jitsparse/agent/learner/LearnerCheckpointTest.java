package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.replay.SampledBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LearnerCheckpoint}: a written checkpoint reads back whole and a learner restored from it
 * continues exactly as the original would have; only the newest {@code keep} files stay; a corrupt
 * newest file is skipped with a warning; a failed write leaves no checkpoint behind; and every read
 * failure names the file.
 */
class LearnerCheckpointTest {

  private static final QLearner.Config CONFIG =
      new QLearner.Config(new int[] {16, 8}, 1e-2, 1.0, 3, 17);

  @TempDir Path dir;

  private static LearnerCheckpoint checkpoint(QLearner learner, long version) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("run_id", "ckpt-test");
    info.put("elapsed_seconds", 12.5);
    info.put("hidden_sizes", List.of(16, 8));
    return new LearnerCheckpoint(version, learner.updates(), 4_321, 9, learner.state(), info);
  }

  /** A checkpoint of a fresh learner after {@code updates} updates (written, not trained). */
  private LearnerCheckpoint written(long updates) throws IOException {
    try (QLearner learner = new QLearner(CONFIG)) {
      QLearner.State s = learner.state();
      LearnerCheckpoint c =
          new LearnerCheckpoint(
              updates / 10,
              updates,
              0,
              0,
              new QLearner.State(s.online(), s.target(), s.optimizer(), updates),
              Map.of());
      c.write(dir, 3);
      return c;
    }
  }

  @Test
  void roundTripRestoresALearnerThatContinuesIdentically() throws IOException {
    SampledBatch batch = QNetworkTest.batch(new SplittableRandom(3), 16, 0.9f);
    SampledBatch next = QNetworkTest.batch(new SplittableRandom(4), 16, 0.9f);
    try (QLearner learner = new QLearner(CONFIG)) {
      // 5 updates: the target network was copied at 3, so online, target and Adam all differ
      for (int i = 0; i < 5; i++) {
        learner.update(batch);
      }
      LearnerCheckpoint c = checkpoint(learner, 2);
      Path file = c.write(dir, 3);
      assertEquals("policy-000000000005.ckpt", file.getFileName().toString());
      LearnerCheckpoint back = LearnerCheckpoint.read(file);
      assertEquals(2, back.policyVersion());
      assertEquals(5, back.updates());
      assertEquals(4_321, back.transitions());
      assertEquals(9, back.episodes());
      assertEquals(c.info(), back.info());
      assertEquals(c.learner().online(), back.learner().online());
      assertEquals(c.learner().target(), back.learner().target());
      assertFalse(
          back.learner().online().equals(back.learner().target()),
          "online moved on after the target copy");
      assertEquals(c.learner().optimizer().keySet(), back.learner().optimizer().keySet());
      for (String k : c.learner().optimizer().keySet()) {
        assertArrayEquals(c.learner().optimizer().get(k), back.learner().optimizer().get(k), k);
      }
      assertEquals(5, back.learner().updates());
      try (QLearner restored = QLearner.restore(CONFIG, back.learner())) {
        assertEquals(5, restored.updates());
        // both continue: the same loss now, and the same policy and priorities after a step
        // (Adam's moments and step count, and the target network, came back too)
        for (SampledBatch b : List.of(next, batch, next)) {
          QLearner.Update a = learner.update(b);
          QLearner.Update r = restored.update(b);
          assertEquals(a.loss(), r.loss(), 1e-6);
          assertArrayEquals(a.priorities(), r.priorities(), 1e-5);
        }
        assertEquals(learner.policy(), restored.policy());
      }
    }
  }

  @Test
  void keepsOnlyTheNewestFiles() throws IOException {
    for (long u = 100; u <= 700; u += 100) {
      written(u);
    }
    assertEquals(
        List.of("policy-000000000700.ckpt", "policy-000000000600.ckpt", "policy-000000000500.ckpt"),
        names(LearnerCheckpoint.files(dir)));
    assertEquals(List.of(), temporaries());
  }

  @Test
  void orderIsByUpdatesNotByWriteTime() throws IOException {
    written(1_000);
    written(20);
    List<String> warnings = new ArrayList<>();
    assertEquals(1_000, LearnerCheckpoint.latest(dir, warnings).orElseThrow().updates());
    assertEquals(List.of(), warnings);
  }

  @Test
  void aCorruptNewestCheckpointIsSkippedWithAWarning() throws IOException {
    written(10);
    written(20);
    Path newest = dir.resolve("policy-000000000020.ckpt");
    byte[] bytes = Files.readAllBytes(newest);
    // cut in half, as a disk that lost the tail would leave it
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    List<String> warnings = new ArrayList<>();
    LearnerCheckpoint c = LearnerCheckpoint.latest(dir, warnings).orElseThrow();
    assertEquals(10, c.updates());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains(newest.toString()), warnings.get(0));
  }

  @Test
  void noCheckpointAtAllIsEmpty() throws IOException {
    List<String> warnings = new ArrayList<>();
    assertTrue(LearnerCheckpoint.latest(dir, warnings).isEmpty());
    assertTrue(LearnerCheckpoint.latest(dir.resolve("absent"), warnings).isEmpty());
    Files.writeString(dir.resolve("policy-000000000001.ckpt"), "not a zip");
    assertTrue(LearnerCheckpoint.latest(dir, warnings).isEmpty());
    assertEquals(1, warnings.size());
  }

  @Test
  void resolveTakesAFileARunFolderOrACheckpointsFolder() throws IOException {
    Path run = dir.resolve("run");
    Path checkpoints = run.resolve("checkpoints");
    Files.createDirectories(checkpoints);
    IOException none = assertThrows(IOException.class, () -> LearnerCheckpoint.resolve(run));
    assertTrue(none.getMessage().contains(run.toString()), none.getMessage());
    assertThrows(IOException.class, () -> LearnerCheckpoint.resolve(run.resolve("missing")));
    try (QLearner learner = new QLearner(CONFIG)) {
      LearnerCheckpoint c = checkpoint(learner, 1);
      c.write(checkpoints, 3);
      Path newest = new LearnerCheckpoint(1, 42, 0, 0, c.learner(), Map.of()).write(checkpoints, 3);
      assertEquals(newest, LearnerCheckpoint.resolve(run));
      assertEquals(newest, LearnerCheckpoint.resolve(checkpoints));
      Path older = checkpoints.resolve("policy-000000000000.ckpt");
      assertEquals(older, LearnerCheckpoint.resolve(older));
    }
  }

  @Test
  void aFailedWriteLeavesNoCheckpointAndNoTemporaryFile() throws IOException {
    written(5);
    try (QLearner learner = new QLearner(CONFIG)) {
      QLearner.State s = learner.state();
      // writeUTF refuses names over 65535 bytes: the write fails after the zip's first entries
      Map<String, float[]> bad = new LinkedHashMap<>(s.optimizer());
      bad.put("x".repeat(70_000), new float[] {1});
      LearnerCheckpoint c =
          new LearnerCheckpoint(
              1, 9, 0, 0, new QLearner.State(s.online(), s.target(), bad, 9), Map.of());
      assertThrows(IOException.class, () -> c.write(dir, 3));
    }
    assertEquals(List.of("policy-000000000005.ckpt"), names(LearnerCheckpoint.files(dir)));
    assertEquals(List.of(), temporaries());
  }

  @Test
  void aTemporaryFileLeftByACrashIsNeverTakenForACheckpoint() throws IOException {
    written(5);
    // what kill -9 in the middle of a write leaves: a temporary file, never a policy-*.ckpt
    Path tmp = Files.createTempFile(dir, ".policy-", ".tmp");
    Files.write(tmp, Files.readAllBytes(dir.resolve("policy-000000000005.ckpt")));
    assertFalse(LearnerCheckpoint.NAME.matcher(tmp.getFileName().toString()).matches());
    assertEquals(List.of("policy-000000000005.ckpt"), names(LearnerCheckpoint.files(dir)));
    assertEquals(dir.resolve("policy-000000000005.ckpt"), LearnerCheckpoint.resolve(dir));
    List<String> warnings = new ArrayList<>();
    assertEquals(5, LearnerCheckpoint.latest(dir, warnings).orElseThrow().updates());
    assertEquals(List.of(), warnings);
  }

  @Test
  void readFailuresNameTheFile() throws IOException {
    Path garbage = dir.resolve("policy-000000000001.ckpt");
    byte[] noise = new byte[4096];
    new SplittableRandom(1).nextBytes(noise);
    Files.write(garbage, noise);
    IOException e = assertThrows(IOException.class, () -> LearnerCheckpoint.read(garbage));
    assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());

    // a zip of the right entries whose network is garbage
    written(2);
    Path valid = dir.resolve("policy-000000000002.ckpt");
    Path broken = dir.resolve("policy-000000000003.ckpt");
    rewriteEntry(valid, broken, "online.qnet", new byte[] {1, 2, 3});
    e = assertThrows(IOException.class, () -> LearnerCheckpoint.read(broken));
    assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("malformed"), e.getMessage());

    Path missing = dir.resolve("policy-000000000004.ckpt");
    assertThrows(IOException.class, () -> LearnerCheckpoint.read(missing));
  }

  /** Copies zip {@code from} to {@code to} with entry {@code name} replaced by {@code data}. */
  private static void rewriteEntry(Path from, Path to, String name, byte[] data)
      throws IOException {
    try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(from));
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] content = in.readAllBytes();
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        out.write(e.getName().equals(name) ? data : content);
        out.closeEntry();
      }
    }
  }

  private List<String> temporaries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }

  private static List<String> names(List<Path> files) {
    return files.stream().map(p -> p.getFileName().toString()).toList();
  }
}
