package io.jitsparse.agent.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Appends the replay's {@link JournalBuffer.Flush}es to its journal folder ({@link JournalFormat})
 * and forces each to disk before it returns. Transitions go to the current segment, which is closed
 * once it reaches {@code segmentBytes} (the next transition opens a new one named by its id); a
 * segment is deleted once every transition in it is older than the oldest one the replay holds, so
 * the journal's transitions stay within the replay's own plus at most two segments. A snapshot
 * opens a new priorities generation and deletes the older ones once it is on disk.
 *
 * <p>A failed append is rolled back to the file's previous end and kept, in order, to be written
 * before the next one; more than {@code segmentBytes} of such backlog is dropped (and reported): a
 * restore then stops at the gap. Blocking: run it on a dedicated dispatcher. Not thread-safe.
 */
public final class JournalWriter implements AutoCloseable {

  /** What an append left on disk. */
  public record Written(long bytesOnDisk, int segments, long droppedTransitions) {}

  private final Path dir;
  private final long segmentBytes;
  private final TreeMap<Long, Path> segments = new TreeMap<>();
  private final ArrayDeque<JournalBuffer.Flush> backlog = new ArrayDeque<>();
  private long backlogBytes;
  private FileChannel segment;
  private FileChannel priorities;
  private Path prioritiesFile;
  private long generation;

  /**
   * A writer into {@code dir} (created when missing), continuing after what is there: existing
   * segments are kept (and deleted in their turn), new transitions open a new segment, and the
   * first append must be a snapshot (it starts a generation after the newest one there).
   */
  public JournalWriter(Path dir, long segmentBytes) throws IOException {
    if (segmentBytes <= JournalFormat.HEADER_BYTES) {
      throw new IllegalArgumentException("segment size " + segmentBytes + " is too small");
    }
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    for (Path p : list()) {
      JournalFormat.segmentFirst(p).ifPresent(first -> segments.put(first, p));
      JournalFormat.generationOf(p).ifPresent(g -> generation = Math.max(generation, g));
    }
  }

  /** The folder written. */
  public Path dir() {
    return dir;
  }

  /**
   * Appends {@code f} (after any backlog) and forces it to disk.
   *
   * @throws IOException when it could not: {@code f} is kept for the next append
   */
  public Written append(JournalBuffer.Flush f) throws IOException {
    backlog.addLast(f);
    backlogBytes += f.transitions().remaining() + f.priorities().remaining();
    long dropped = 0;
    try {
      while (!backlog.isEmpty()) {
        JournalBuffer.Flush next = backlog.peekFirst();
        write(next);
        backlog.pollFirst();
        backlogBytes -= next.transitions().remaining() + next.priorities().remaining();
      }
      backlogBytes = 0;
    } catch (IOException e) {
      if (backlogBytes > segmentBytes) {
        for (JournalBuffer.Flush g : backlog) {
          dropped += g.count();
        }
        backlog.clear();
        backlogBytes = 0;
        throw new IOException(
            e.getMessage() + "; dropped " + dropped + " transitions not yet on disk", e);
      }
      throw e;
    }
    return new Written(bytesOnDisk(), segments.size(), dropped);
  }

  private void write(JournalBuffer.Flush f) throws IOException {
    if (f.count() > 0) {
      if (segment == null) {
        Path file = dir.resolve(JournalFormat.segmentName(f.firstId()));
        segment = create(file, JournalFormat.TRANSITIONS, f.firstId());
        segments.put(f.firstId(), file);
      }
      appendForced(segment, f.transitions());
      if (segment.size() >= segmentBytes) {
        segment.close();
        segment = null;
      }
    }
    if (f.snapshot()) {
      Path file = dir.resolve(JournalFormat.generationName(generation + 1));
      FileChannel next = create(file, JournalFormat.PRIORITIES, generation + 1);
      try {
        appendForced(next, f.priorities());
      } catch (IOException e) {
        next.close();
        Files.deleteIfExists(file);
        throw e;
      }
      if (priorities != null) {
        priorities.close();
      }
      Path previous = prioritiesFile;
      priorities = next;
      prioritiesFile = file;
      generation++;
      deleteGenerationsBefore(generation);
      if (previous != null) {
        Files.deleteIfExists(previous);
      }
    } else {
      if (priorities == null) {
        throw new IllegalStateException("a priorities delta before any snapshot");
      }
      appendForced(priorities, f.priorities());
    }
    deleteSegmentsBelow(f.oldest());
  }

  /**
   * Writes {@code b} whole at the end of {@code ch} and forces it, or leaves {@code ch} as it was.
   */
  private static void appendForced(FileChannel ch, ByteBuffer b) throws IOException {
    long end = ch.size();
    ByteBuffer data = b.duplicate();
    try {
      ch.position(end);
      while (data.hasRemaining()) {
        ch.write(data);
      }
      ch.force(false);
    } catch (IOException e) {
      try {
        ch.truncate(end);
      } catch (IOException ignored) {
        // the reader stops at the half-written frame anyway; the original error is reported
      }
      throw e;
    }
  }

  private FileChannel create(Path file, int kind, long first) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    try {
      appendForced(ch, JournalFormat.header(kind, first));
      forceDir();
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return ch;
  }

  /** Makes new and deleted names durable (a file's data is forced, its directory entry too). */
  private void forceDir() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** Deletes every segment whose transitions are all below {@code oldest} (never the open one). */
  private void deleteSegmentsBelow(long oldest) throws IOException {
    List<Long> dead = new ArrayList<>();
    Long previous = null;
    for (Long first : segments.keySet()) {
      if (previous != null && first <= oldest) {
        dead.add(previous);
      }
      previous = first;
    }
    for (Long first : dead) {
      Files.deleteIfExists(segments.remove(first));
    }
  }

  private void deleteGenerationsBefore(long keep) throws IOException {
    for (Path p : list()) {
      Optional<Long> g = JournalFormat.generationOf(p);
      if (g.isPresent() && g.get() < keep) {
        Files.deleteIfExists(p);
      }
    }
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /** Bytes of the journal's files. */
  public long bytesOnDisk() throws IOException {
    long total = 0;
    for (Path p : list()) {
      if (JournalFormat.segmentFirst(p).isPresent() || JournalFormat.generationOf(p).isPresent()) {
        total += Files.size(p);
      }
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    if (segment != null) {
      segment.close();
      segment = null;
    }
    if (priorities != null) {
      priorities.close();
      priorities = null;
    }
  }
}
