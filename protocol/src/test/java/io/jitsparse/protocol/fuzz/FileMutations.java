package io.jitsparse.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Mutations of a good file for the decoder fuzz tests (issue 15, item 5): truncate it, flip a byte,
 * insert or append garbage, or overwrite four bytes with a hostile int (a header's length or
 * count). {@link #decode} runs a reader on the result under a time limit and lets it refuse only
 * with its own exception, whose message names the file.
 */
public final class FileMutations {

  /** Longest a reader may take on a small mutated file before it counts as hanging. */
  public static final Duration DECODE_LIMIT = Duration.ofSeconds(10);

  private static final int MAX_GARBAGE = 64;
  private static final int MAX_MUTATIONS = 4;

  private FileMutations() {}

  /** What one mutation does. */
  public enum Kind {
    TRUNCATE,
    FLIP,
    INSERT,
    APPEND,
    HOSTILE_INT
  }

  /**
   * One mutation; positions are taken modulo the file's length.
   *
   * @param kind what it does
   * @param position where, before the modulo
   * @param garbage bytes inserted or appended, or whose first byte is XORed in
   * @param value the int {@link Kind#HOSTILE_INT} writes
   */
  public record Mutation(Kind kind, int position, byte[] garbage, int value) {

    /** The mutated copy of {@code good}. */
    public byte[] apply(byte[] good) {
      int at = good.length == 0 ? 0 : Math.floorMod(position, good.length);
      switch (kind) {
        case TRUNCATE:
          return Arrays.copyOf(good, at);
        case FLIP:
          byte[] flipped = good.clone();
          if (flipped.length > 0) {
            flipped[at] ^= (byte) (garbage.length == 0 ? 1 : garbage[0] | 1);
          }
          return flipped;
        case INSERT:
        case APPEND:
          int where = kind == Kind.APPEND ? good.length : at;
          byte[] out = new byte[good.length + garbage.length];
          System.arraycopy(good, 0, out, 0, where);
          System.arraycopy(garbage, 0, out, where, garbage.length);
          System.arraycopy(good, where, out, where + garbage.length, good.length - where);
          return out;
        default:
          byte[] hostile = good.clone();
          int from = Math.max(0, Math.min(at, hostile.length - Integer.BYTES));
          if (hostile.length >= Integer.BYTES) {
            ByteBuffer.wrap(hostile).putInt(from, value);
          }
          return hostile;
      }
    }
  }

  /** One to four mutations. */
  public static Arbitrary<List<Mutation>> mutations() {
    Arbitrary<Integer> values =
        Arbitraries.oneOf(
            Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 1 << 30, 0x00000803),
            Arbitraries.integers());
    Arbitrary<Mutation> one =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_GARBAGE),
                values)
            .as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(MAX_MUTATIONS);
  }

  /** {@code good} with every mutation applied in turn. */
  public static byte[] apply(byte[] good, List<Mutation> mutations) {
    byte[] out = good;
    for (Mutation m : mutations) {
      out = m.apply(out);
    }
    return out;
  }

  /** A reader of one file. */
  @FunctionalInterface
  public interface Decoder {
    /** Decodes {@code file}, or throws. */
    void decode(Path file) throws Exception;
  }

  /**
   * Writes {@code content} to a fresh file of the given name, decodes it within {@link
   * #DECODE_LIMIT}, and passes if the decoder either succeeds or throws an instance of {@code
   * refusal} whose message names the file; anything else (NPE, ArrayIndexOutOfBounds, an Error such
   * as OutOfMemoryError, a hang) fails the property.
   */
  public static void decode(
      String fileName, byte[] content, Class<? extends Exception> refusal, Decoder decoder)
      throws IOException {
    Path dir = Files.createTempDirectory("jitsparse-fuzz");
    Path file = dir.resolve(fileName);
    try {
      Files.write(file, content);
      decodeFile(file, refusal, decoder);
    } finally {
      deleteTree(dir);
    }
  }

  /** {@link #decode} for a file already in place. */
  public static void decodeFile(Path file, Class<? extends Exception> refusal, Decoder decoder) {
    assertTimeoutPreemptively(
        DECODE_LIMIT,
        () -> {
          try {
            decoder.decode(file);
          } catch (Exception e) {
            if (!refusal.isInstance(e)) {
              throw new AssertionError("unexpected " + e + " from " + file, e);
            }
            String message = String.valueOf(e.getMessage());
            assertTrue(message.contains(file.getFileName().toString()), message);
          }
        });
  }

  /** Deletes {@code dir} and everything below it. */
  public static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
