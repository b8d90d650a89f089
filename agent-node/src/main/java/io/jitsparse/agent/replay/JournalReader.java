package io.jitsparse.agent.replay;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads a replay journal ({@link JournalFormat}) back into an empty {@link CompactReplay}: the
 * newest priorities generation whose snapshot reads whole gives the live range, the priorities and
 * the samples-per-insert counters (its deltas applied up to the first bad frame); the segments, in
 * order, give the transitions from that range's oldest on, up to the first frame that is cut short,
 * fails its CRC or breaks the run of ids. What follows a bad frame is not used: its segment is
 * truncated there and later segments are deleted, so the journal appended after the restore
 * continues from what was restored; each such cut is a warning naming the file and the byte offset.
 * Blocking: run it on a dedicated dispatcher.
 */
public final class JournalReader {

  /**
   * What a restore found.
   *
   * @param transitions transitions the store holds now
   * @param limitInserted the samples-per-insert limit's inserts to continue from
   * @param limitSampled its samples to continue from
   * @param warnings what was cut or skipped, each naming its file
   */
  public record Restored(
      long transitions, long limitInserted, long limitSampled, List<String> warnings) {}

  /** The live range and priorities a priorities generation gives. */
  private record Marks(
      long oldest,
      long next,
      long inserted,
      long sampled,
      long snapshotOldest,
      double[] snapshot,
      Map<Long, Double> deltas) {

    double priorityOf(long id, double inserted) {
      Double d = deltas.get(id);
      if (d != null) {
        return d;
      }
      long at = id - snapshotOldest;
      if (at >= 0 && at < snapshot.length && !Double.isNaN(snapshot[(int) at])) {
        return snapshot[(int) at];
      }
      return inserted;
    }
  }

  private JournalReader() {}

  /**
   * Restores the journal in {@code dir} into {@code store} (empty, never used) and the priorities
   * into {@code buffer}.
   *
   * @throws JournalFormat.IncompatibleJournal when a file is of another format or feature encoding
   * @throws IOException when the folder cannot be read
   */
  public static Restored restore(Path dir, CompactReplay store, JournalBuffer buffer)
      throws IOException {
    List<String> warnings = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Restored(0, 0, 0, warnings);
    }
    TreeMap<Long, Path> segments = new TreeMap<>();
    TreeMap<Long, Path> generations = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        JournalFormat.segmentFirst(p).ifPresent(f -> segments.put(f, p));
        JournalFormat.generationOf(p).ifPresent(g -> generations.put(g, p));
      }
    }
    Optional<Marks> marks = newest(generations, warnings);
    long from = marks.map(Marks::oldest).orElse(Long.MIN_VALUE);
    long expected = -1;
    long kept = 0;
    boolean cut = false;
    List<Path> dropped = new ArrayList<>();
    for (Map.Entry<Long, Path> e : segments.entrySet()) {
      Path file = e.getValue();
      if (cut) {
        dropped.add(file);
        continue;
      }
      ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
      JournalFormat.Header h;
      try {
        h = JournalFormat.readHeader(file, in, JournalFormat.TRANSITIONS);
      } catch (IllegalArgumentException bad) {
        warnings.add(cutAt(file, 0, bad.getMessage()));
        dropped.add(file);
        cut = true;
        continue;
      }
      if (h.first() != e.getKey() || (expected >= 0 && h.first() != expected)) {
        warnings.add(
            cutAt(
                file,
                0,
                "starts at transition "
                    + h.first()
                    + " where "
                    + (expected >= 0 ? expected : e.getKey())
                    + " was expected"));
        dropped.add(file);
        cut = true;
        continue;
      }
      long[] at = {h.first(), kept};
      Optional<Stop> stop =
          eachFrame(
              in,
              body -> {
                long id = insert(body, at[0], from, store, buffer, marks);
                at[0] = id + 1;
                if (id >= from) {
                  at[1]++;
                }
              });
      expected = at[0];
      kept = at[1];
      if (stop.isPresent()) {
        warnings.add(cutAt(file, stop.get().offset(), stop.get().why()));
        truncate(file, stop.get().offset());
        cut = true;
      }
    }
    for (Path p : dropped) {
      Files.deleteIfExists(p);
    }
    if (!dropped.isEmpty()) {
      warnings.add(
          "deleted " + dropped.size() + " replay journal segment(s) after the cut: " + dropped);
    }
    long end = Math.max(expected, 0);
    long next = Math.max(end, marks.map(Marks::next).orElse(0L));
    if (store.inserted() == 0 && next > 0) {
      // nothing restored: new ids still follow the journal's, so no old segment is overwritten
      store.startAt(next);
    }
    long keptTotal = kept;
    long inserted = marks.map(m -> m.inserted() + Math.max(0, end - m.next())).orElse(keptTotal);
    long sampled = marks.map(Marks::sampled).orElse(0L);
    return new Restored(store.size(), inserted, sampled, warnings);
  }

  /** Inserts one transition frame when it is in the live range; returns its id. */
  private static long insert(
      ByteBuffer body,
      long expected,
      long from,
      CompactReplay store,
      JournalBuffer buffer,
      Optional<Marks> marks) {
    long id = body.getLong();
    if (id != expected) {
      throw new IllegalArgumentException(
          "transition " + id + " where " + expected + " was expected");
    }
    float reward = body.getFloat();
    float discount = body.getFloat();
    double priority = body.getDouble();
    int layers = body.getShort();
    if (layers < 1 || body.remaining() != CompactReplay.payloadFloats(layers) * Float.BYTES) {
      throw new IllegalArgumentException(
          "transition " + id + " of " + layers + " layers has " + body.remaining() + " bytes");
    }
    if (id < from) {
      return id;
    }
    float[] payload = new float[CompactReplay.payloadFloats(layers)];
    body.asFloatBuffer().get(payload);
    if (store.inserted() == 0 && store.size() == 0) {
      store.startAt(id);
    }
    double p = marks.map(m -> m.priorityOf(id, priority)).orElse(priority);
    store.insertPayload(payload, layers, reward, discount, p);
    buffer.restored(store.slotOf(id), p);
    return id;
  }

  /** The marks of the newest generation whose snapshot reads whole. */
  private static Optional<Marks> newest(TreeMap<Long, Path> generations, List<String> warnings)
      throws IOException {
    for (Path g : generations.descendingMap().values()) {
      Optional<Marks> m = readGeneration(g, warnings);
      if (m.isPresent()) {
        return m;
      }
    }
    return Optional.empty();
  }

  /** The marks of one priorities generation, empty (with a warning) when its snapshot is bad. */
  private static Optional<Marks> readGeneration(Path file, List<String> warnings)
      throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
    try {
      JournalFormat.readHeader(file, in, JournalFormat.PRIORITIES);
    } catch (IllegalArgumentException bad) {
      warnings.add("replay journal " + file + " unreadable at byte 0: " + bad.getMessage());
      return Optional.empty();
    }
    Marks[] m = {null};
    Optional<Stop> stop = eachFrame(in, body -> m[0] = apply(body, m[0]));
    if (stop.isPresent()) {
      String where = " at byte " + stop.get().offset() + " (" + stop.get().why() + ")";
      if (m[0] == null) {
        warnings.add("replay journal " + file + " has no whole snapshot" + where);
        return Optional.empty();
      }
      warnings.add(
          "replay journal "
              + file
              + " is cut"
              + where
              + ": priorities restored as of the frame before it");
    }
    if (m[0] == null) {
      warnings.add("replay journal " + file + " has no snapshot");
    }
    return Optional.ofNullable(m[0]);
  }

  /** Where and why reading a file's frames stopped before its end. */
  private record Stop(int offset, String why) {}

  /**
   * Passes each frame's body in {@code in} to {@code read} up to the end or the first frame that is
   * cut short, corrupt or that {@code read} refuses (an {@link IllegalArgumentException}).
   */
  private static Optional<Stop> eachFrame(ByteBuffer in, Consumer<ByteBuffer> read) {
    while (true) {
      int offset = in.position();
      try {
        Optional<ByteBuffer> frame = JournalFormat.nextFrame(in);
        if (frame.isEmpty()) {
          return Optional.empty();
        }
        read.accept(frame.get());
      } catch (IllegalArgumentException | BufferUnderflowException bad) {
        return Optional.of(new Stop(offset, String.valueOf(bad.getMessage())));
      }
    }
  }

  private static Marks apply(ByteBuffer b, Marks m) {
    byte type = b.get();
    long oldest = b.getLong();
    long next = b.getLong();
    long inserted = b.getLong();
    long sampled = b.getLong();
    int n = b.getInt();
    if (n < 0 || oldest > next || next - oldest > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("live range " + oldest + ".." + next + " of " + n);
    }
    if (type == JournalFormat.SNAPSHOT) {
      if (m != null || n != next - oldest || b.remaining() != n * Double.BYTES) {
        throw new IllegalArgumentException("misplaced or malformed snapshot");
      }
      double[] snapshot = new double[n];
      b.asDoubleBuffer().get(snapshot);
      return new Marks(oldest, next, inserted, sampled, oldest, snapshot, new HashMap<>());
    }
    if (type != JournalFormat.DELTA
        || m == null
        || b.remaining() != n * JournalFormat.DELTA_ENTRY) {
      throw new IllegalArgumentException("misplaced or malformed priorities frame " + type);
    }
    for (int i = 0; i < n; i++) {
      m.deltas().put(b.getLong(), b.getDouble());
    }
    return new Marks(oldest, next, inserted, sampled, m.snapshotOldest(), m.snapshot(), m.deltas());
  }

  private static String cutAt(Path file, long offset, String why) {
    return "replay journal "
        + file
        + " is truncated or corrupt at byte "
        + offset
        + " ("
        + why
        + "): restoring what precedes it, dropping the rest";
  }

  private static void truncate(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(offset);
      ch.force(true);
    }
  }
}
