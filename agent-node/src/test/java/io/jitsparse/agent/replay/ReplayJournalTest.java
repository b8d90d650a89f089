package io.jitsparse.agent.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay journal ({@link JournalBuffer}, {@link JournalWriter}, {@link JournalReader}): a
 * replay written and read back has the same transitions and priorities; a truncated tail or a
 * corrupt CRC in a middle segment is a warning naming the file and offset, and what precedes it is
 * restored (and the journal goes on from there); another format version is refused naming the file;
 * a replay that wraps its ring many times keeps the journal's disk use bounded.
 */
class ReplayJournalTest {

  private static final int CAPACITY = 256;
  private static final int ARENA = 1 << 20;
  private static final double ALPHA = 0.6;
  private static final double EPSILON = 1e-3;
  private static final int LAYERS = 4;
  private static final long SEGMENT = JournalSettings.MIN_SEGMENT_BYTES;
  private static final double SPI = 4;
  private static final int MIN_SIZE = 8;
  private static final int BATCH = 8;
  private static final double TOLERANCE = 1e-9;
  private static final int PERSIST_EVERY = 25;

  @TempDir Path dir;

  /** A replay with its journal buffer and writer, as the actor and its persister hold them. */
  private final class Journaled {
    final CompactReplay store;
    final JournalBuffer buffer;
    final SamplesPerInsertLimit limit = new SamplesPerInsertLimit(SPI, MIN_SIZE, BATCH);
    final JournalWriter writer;
    final Random random = new Random(1);

    Journaled() throws IOException {
      this(fresh(), new JournalBuffer(CAPACITY));
    }

    /** Over a restored store, as a restarted replay and its persister have it. */
    Journaled(Read r) throws IOException {
      this(r.store(), r.buffer());
      limit.resume(r.result().limitInserted(), r.result().limitSampled());
    }

    private Journaled(CompactReplay store, JournalBuffer buffer) throws IOException {
      this.store = store;
      this.buffer = buffer;
      this.writer = new JournalWriter(dir, SEGMENT);
    }

    void insert(int n) throws IOException {
      for (int i = 0; i < n; i++) {
        long id = store.inserted();
        float[] state = state(id, 1);
        float[] next = state(id, -1);
        int[] moves = new int[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
          moves[l] = (int) ((id + l) % MoveSet.size());
        }
        double p = 0.1 + id % 7;
        store.insert(state, next, moves, 0.25f * id, id % 5 == 0 ? 0f : 0.97f, p);
        buffer.inserted(store, id, p, System.nanoTime());
        limit.inserted(1);
        if (store.inserted() % PERSIST_EVERY == 0) {
          learn();
          persist();
        }
      }
      persist();
    }

    /** One sample and priority update, as the learner's. */
    void learn() {
      SampledBatch b = store.sample(BATCH, 0.4, random);
      limit.sampled(BATCH);
      double[] p = new double[BATCH];
      for (int i = 0; i < BATCH; i++) {
        p[i] = random.nextDouble() * 3;
      }
      store.updatePriorities(b.slots(), b.ids(), p);
      buffer.updated(store, b.slots(), b.ids(), p, System.nanoTime());
    }

    void persist() throws IOException {
      var f = buffer.drain(store, limit);
      if (f.isPresent()) {
        writer.append(f.get());
      }
    }
  }

  private static CompactReplay fresh() {
    return new CompactReplay(CAPACITY, ARENA, ALPHA, EPSILON);
  }

  private static float[] state(long id, int sign) {
    float[] s = new float[FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * LAYERS];
    for (int i = 0; i < s.length; i++) {
      s[i] = sign * (id * 1000 + i);
    }
    return s;
  }

  private record Read(CompactReplay store, JournalBuffer buffer, JournalReader.Restored result) {}

  private Read restore() throws IOException {
    CompactReplay store = fresh();
    JournalBuffer buffer = new JournalBuffer(CAPACITY);
    return new Read(store, buffer, JournalReader.restore(dir, store, buffer));
  }

  private static void assertSame(Journaled w, Read r, long oldest, long next) {
    assertEquals(next - oldest, r.store().size());
    assertEquals(oldest, r.store().oldest());
    assertEquals(next, r.store().inserted());
    for (long id = oldest; id < next; id++) {
      int slot = w.store.slotOf(id);
      assertEquals(id, r.store().idAt(slot));
      assertArrayEquals(w.store.payload(slot), r.store().payload(slot), "payload of " + id);
      assertEquals(w.store.rewardAt(slot), r.store().rewardAt(slot));
      assertEquals(w.store.discountAt(slot), r.store().discountAt(slot));
      assertEquals(w.buffer.priority(slot), r.buffer().priority(slot), "priority of " + id);
    }
  }

  private List<Path> files(String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
  }

  @Test
  void roundTripKeepsTransitionsPrioritiesAndCounters() throws IOException {
    Journaled w = new Journaled();
    w.insert(CAPACITY / 2 + PERSIST_EVERY);
    // priorities changed after the last transition: a delta with no transition
    w.learn();
    w.persist();
    w.writer.close();

    Read r = restore();
    assertEquals(List.of(), r.result().warnings());
    assertEquals(w.store.size(), r.result().transitions());
    assertSame(w, r, w.store.oldest(), w.store.inserted());
    assertEquals(w.store.prioritySum(), r.store().prioritySum(), TOLERANCE);
    assertEquals(w.limit.inserts(), r.result().limitInserted());
    assertEquals(w.limit.samples(), r.result().limitSampled());
  }

  @Test
  void truncatedTailRestoresTheWholeRecordsBeforeItAndTheJournalGoesOn() throws IOException {
    Journaled w = new Journaled();
    w.insert(2 * PERSIST_EVERY);
    w.writer.close();
    Path segment = files("transitions-").get(0);
    long size = Files.size(segment);
    long cutTo = size - 3;
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(cutTo);
    }

    Read r = restore();
    assertEquals(1, r.result().warnings().size(), r.result().warnings().toString());
    String warning = r.result().warnings().get(0);
    assertTrue(warning.contains(segment.toString()), warning);
    long frame = size - FRAME;
    assertTrue(warning.contains("at byte " + frame), warning);
    long next = w.store.inserted() - 1;
    assertSame(w, r, 0, next);
    assertEquals(frame, Files.size(segment), "the bad tail is cut off");

    // the restored replay journals on, and a second restore reads everything without warnings
    Journaled again = new Journaled(r);
    again.insert(PERSIST_EVERY);
    again.writer.close();
    Read r2 = restore();
    assertEquals(List.of(), r2.result().warnings());
    assertEquals(again.store.inserted(), r2.store().inserted());
    assertSame(again, r2, again.store.oldest(), again.store.inserted());
  }

  @Test
  void corruptCrcInAMiddleSegmentIsNamedAndWhatPrecedesItIsRestored() throws IOException {
    Journaled w = new Journaled();
    w.insert(CAPACITY + 2 * PERSIST_EVERY);
    w.writer.close();
    List<Path> segments = files("transitions-");
    assertTrue(segments.size() >= 3, "segments " + segments);
    Path middle = segments.get(1);
    long first = JournalFormat.segmentFirst(middle).orElseThrow();
    int frames = 3;
    long offset = JournalFormat.HEADER_BYTES + frames * (long) FRAME;
    try (FileChannel ch =
        FileChannel.open(middle, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      long at = offset + JournalFormat.FRAME_BYTES + Long.BYTES + 1;
      ch.read(b, at);
      b.put(0, (byte) ~b.get(0)).rewind();
      ch.write(b, at);
    }

    Read r = restore();
    String warnings = r.result().warnings().toString();
    assertTrue(warnings.contains(middle + " is truncated or corrupt at byte " + offset), warnings);
    assertTrue(warnings.contains("CRC"), warnings);
    assertTrue(warnings.contains(segments.get(2).toString()), "later segments named: " + warnings);
    assertSame(w, r, w.store.oldest(), first + frames);
    assertFalse(Files.exists(segments.get(2)), "segments after the cut are deleted");
  }

  @Test
  void aJournalWithNoReadableTransitionGoesOnAfterItsIds() throws IOException {
    Journaled w = new Journaled();
    w.insert(2 * PERSIST_EVERY);
    w.writer.close();
    Path segment = files("transitions-").get(0);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0}), 0);
    }

    Read r = restore();
    assertTrue(
        r.result().warnings().toString().contains(segment + " is truncated or corrupt at byte 0"));
    assertEquals(0, r.result().transitions(), r.result().toString() + files(""));
    assertEquals(w.store.inserted(), r.store().inserted(), "new ids follow the journal's");
    Journaled again = new Journaled(r);
    again.insert(PERSIST_EVERY);
    again.writer.close();
    Read r2 = restore();
    assertEquals(List.of(), r2.result().warnings());
    assertSame(again, r2, w.store.inserted(), again.store.inserted());
  }

  @Test
  void anotherFormatVersionIsRefusedNamingTheFile() throws IOException {
    Journaled w = new Journaled();
    w.insert(PERSIST_EVERY);
    w.writer.close();
    Path segment = files("transitions-").get(0);
    ByteBuffer h = JournalFormat.header(JournalFormat.TRANSITIONS, 0);
    int versionAt = "JSREPLAY".length();
    h.putInt(versionAt, JournalFormat.VERSION + 1);
    h.putInt(
        JournalFormat.HEADER_BYTES - Integer.BYTES,
        JournalFormat.crc(h.array(), 0, JournalFormat.HEADER_BYTES - Integer.BYTES));
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(h, 0);
    }

    JournalFormat.IncompatibleJournal e =
        assertThrows(JournalFormat.IncompatibleJournal.class, this::restore);
    assertEquals(
        "replay journal "
            + segment
            + " has format version "
            + (JournalFormat.VERSION + 1)
            + ", this build reads version "
            + JournalFormat.VERSION,
        e.getMessage());
  }

  @Test
  void aRingThatWrapsManyTimesKeepsTheJournalBounded() throws IOException {
    Journaled w = new Journaled();
    int wraps = 20;
    long live = (long) CAPACITY * FRAME;
    long bound = live + 2 * SEGMENT + 2 * JournalBuffer.MIN_LOG_BYTES;
    long largest = 0;
    for (int i = 0; i < wraps; i++) {
      w.insert(CAPACITY);
      largest = Math.max(largest, w.writer.bytesOnDisk());
    }
    w.writer.close();
    assertTrue(largest <= bound, largest + " bytes on disk, bound " + bound);
    assertEquals(1, files("priorities-").size());
    Read r = restore();
    assertEquals(List.of(), r.result().warnings());
    assertSame(w, r, w.store.oldest(), w.store.inserted());
  }

  @Test
  void persistIntervalAboveTenSecondsIsRefusedNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new JournalSettings(
                    true,
                    JournalSettings.MAX_PERSIST_INTERVAL.plus(Duration.ofMillis(1)),
                    SEGMENT));
    assertTrue(
        e.getMessage().startsWith("jitsparse.agent-node.replay-persist-interval"), e.getMessage());
  }

  /** Bytes of one transition frame of this test's transitions (all of {@value #LAYERS} layers). */
  private static final int FRAME =
      JournalFormat.FRAME_BYTES
          + JournalFormat.TRANSITION_FIXED
          + CompactReplay.payloadFloats(LAYERS) * Float.BYTES;
}
