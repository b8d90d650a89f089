package io.jitsparse.agent.replay;

import io.jitsparse.agent.policy.FeatureEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the replay journal ({@code <out>/replay/}), version {@value #VERSION}.
 *
 * <p>Two kinds of file, each opening with a {@value #HEADER_BYTES}-byte header (magic {@code
 * JSREPLAY}, format version, file kind, {@link FeatureEncoder#VERSION} of the stored payloads, the
 * file's first transition id or generation, CRC32C of those 28 bytes), then frames: {@code int
 * length, int crc32c(body), body}.
 *
 * <ul>
 *   <li>{@code transitions-<first id>.seg}: one frame per transition, ids consecutive across the
 *       segments in name order: {@code long id, float reward, float discount, double priority (as
 *       inserted), short layers, float[payloadFloats(layers)]} (encoded state, encoded next state,
 *       moves, as {@link CompactReplay} stores them).
 *   <li>{@code priorities-<generation>.log}: a {@link #SNAPSHOT} frame (the live range and every
 *       live transition's priority), then one {@link #DELTA} frame per persist (the live range and
 *       the priorities changed since). Every frame also carries the samples-per-insert counters. A
 *       new generation starts with a snapshot once the deltas outgrow it, and the older is deleted.
 * </ul>
 *
 * A frame whose length is out of bounds, whose body is cut short or whose CRC differs is where a
 * reader stops: everything before it read back whole.
 */
public final class JournalFormat {

  /** The format version this build writes and reads. */
  public static final int VERSION = 1;

  /** Bytes of a file header. */
  public static final int HEADER_BYTES = 32;

  /** Bytes of a frame's length and CRC. */
  public static final int FRAME_BYTES = 2 * Integer.BYTES;

  /** Header kind of a transitions segment. */
  public static final int TRANSITIONS = 1;

  /** Header kind of a priorities log. */
  public static final int PRIORITIES = 2;

  /** Priorities frame type: the whole live range. */
  public static final byte SNAPSHOT = 1;

  /** Priorities frame type: changes since the previous frame. */
  public static final byte DELTA = 2;

  /** Largest frame body read back; anything larger is taken for a corrupt length. */
  public static final int MAX_FRAME = 1 << 28;

  /** Bytes of a transition frame's fixed fields (id, reward, discount, priority, layers). */
  public static final int TRANSITION_FIXED =
      Long.BYTES + 2 * Float.BYTES + Double.BYTES + Short.BYTES;

  /** Bytes of a priorities frame's fixed fields (type, live range, limit counters, count). */
  public static final int PRIORITIES_FIXED = 1 + 4 * Long.BYTES + Integer.BYTES;

  /** Bytes of one delta entry (id, priority). */
  public static final int DELTA_ENTRY = Long.BYTES + Double.BYTES;

  private static final byte[] MAGIC = "JSREPLAY".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern SEGMENT = Pattern.compile("transitions-(\\d{20})\\.seg");
  private static final Pattern GENERATION = Pattern.compile("priorities-(\\d{20})\\.log");

  private JournalFormat() {}

  /** A file's header, as read. */
  public record Header(int version, int kind, int encoding, long first) {}

  /** A file that this build cannot read (another format or feature encoding). */
  public static final class IncompatibleJournal extends java.io.IOException {
    IncompatibleJournal(String message) {
      super(message);
    }
  }

  /** File name of the segment whose first transition has {@code firstId}. */
  public static String segmentName(long firstId) {
    return String.format("transitions-%020d.seg", firstId);
  }

  /** File name of priorities generation {@code generation}. */
  public static String generationName(long generation) {
    return String.format("priorities-%020d.log", generation);
  }

  /** The first id a segment's name gives. */
  public static Optional<Long> segmentFirst(Path file) {
    return number(SEGMENT, file);
  }

  /** The generation a priorities log's name gives. */
  public static Optional<Long> generationOf(Path file) {
    return number(GENERATION, file);
  }

  private static Optional<Long> number(Pattern p, Path file) {
    Matcher m = p.matcher(file.getFileName().toString());
    return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  /** A header of {@code kind} for the file starting at {@code first}. */
  public static ByteBuffer header(int kind, long first) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    b.put(MAGIC).putInt(VERSION).putInt(kind).putInt(FeatureEncoder.VERSION).putLong(first);
    b.putInt(crc(b.array(), 0, HEADER_BYTES - Integer.BYTES));
    return b.flip();
  }

  /**
   * Reads a header of {@code kind} from {@code b} (its {@value #HEADER_BYTES} bytes).
   *
   * @throws IncompatibleJournal when it is whole but of another version or feature encoding
   * @throws IllegalArgumentException when it is not a whole journal header
   */
  public static Header readHeader(Path file, ByteBuffer b, int kind) throws IncompatibleJournal {
    if (b.remaining() < HEADER_BYTES) {
      throw new IllegalArgumentException("header cut short at " + b.remaining() + " bytes");
    }
    byte[] h = new byte[HEADER_BYTES];
    b.get(h);
    ByteBuffer in = ByteBuffer.wrap(h);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("not a replay journal file (bad magic)");
    }
    Header header = new Header(in.getInt(), in.getInt(), in.getInt(), in.getLong());
    if (in.getInt() != crc(h, 0, HEADER_BYTES - Integer.BYTES)) {
      throw new IllegalArgumentException("header CRC mismatch");
    }
    if (header.version() != VERSION) {
      throw new IncompatibleJournal(
          "replay journal "
              + file
              + " has format version "
              + header.version()
              + ", this build reads version "
              + VERSION);
    }
    if (header.encoding() != FeatureEncoder.VERSION) {
      throw new IncompatibleJournal(
          "replay journal "
              + file
              + " holds states of feature encoding "
              + header.encoding()
              + ", this build encodes version "
              + FeatureEncoder.VERSION);
    }
    if (header.kind() != kind) {
      throw new IllegalArgumentException("header kind " + header.kind() + ", expected " + kind);
    }
    return header;
  }

  /** Appends {@code body} (position to limit) to {@code out} as one frame. */
  public static void frame(ByteBuffer body, ByteBuffer out) {
    out.putInt(body.remaining());
    out.putInt(crc(body.array(), body.arrayOffset() + body.position(), body.remaining()));
    out.put(body);
  }

  /**
   * The next frame's body in {@code in}, advancing past it; empty (and {@code in} unmoved) at a
   * clean end of file.
   *
   * @throws IllegalArgumentException naming what is wrong when the frame is cut short or corrupt
   */
  public static Optional<ByteBuffer> nextFrame(ByteBuffer in) {
    if (!in.hasRemaining()) {
      return Optional.empty();
    }
    if (in.remaining() < FRAME_BYTES) {
      throw new IllegalArgumentException("frame header cut short (truncated file)");
    }
    int start = in.position();
    int length = in.getInt(start);
    int crc = in.getInt(start + Integer.BYTES);
    if (length <= 0 || length > MAX_FRAME) {
      throw new IllegalArgumentException("frame length " + length + " out of bounds");
    }
    if (in.remaining() - FRAME_BYTES < length) {
      throw new IllegalArgumentException(
          "frame of "
              + length
              + " bytes cut short at "
              + (in.remaining() - FRAME_BYTES)
              + " (truncated file)");
    }
    ByteBuffer body = in.slice(start + FRAME_BYTES, length);
    byte[] bytes = new byte[length];
    body.duplicate().get(bytes);
    if (crc(bytes, 0, length) != crc) {
      throw new IllegalArgumentException("frame CRC mismatch");
    }
    in.position(start + FRAME_BYTES + length);
    return Optional.of(ByteBuffer.wrap(bytes));
  }

  /** CRC32C of {@code length} bytes of {@code b} from {@code offset}. */
  public static int crc(byte[] b, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(b, offset, length);
    return (int) c.getValue();
  }
}
