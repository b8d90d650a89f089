package io.jitsparse.env.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's checkpoint folder: {@code arrays.bin} (weights, batch-norm statistics, masks, optimiser
 * state, each as a named ND4J array) and {@code progress.json} (steps, epoch and batch position,
 * FLOPs so far, the settings). Random choices after step s derive from (seed, s) and data order
 * from (seed, epoch), so these are the whole RNG state. Written to a temporary sibling and renamed,
 * so a crash never leaves a half-written checkpoint. {@code arrays.bin} ends in a trailer (CRC-32
 * and length of what precedes it, then a magic number) checked before any byte reaches ND4J: its
 * reader trusts the lengths it finds, and a corrupt one crashed the JVM (found by
 * CheckpointFuzzTest).
 */
public final class Checkpoint {

  /** Folder name inside a run's output folder. */
  public static final String DIR = "checkpoint";

  private static final String ARRAYS = "arrays.bin";
  private static final String PROGRESS = "progress.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Last four bytes of {@code arrays.bin} ("JSA1"): the trailer of this format. */
  private static final int ARRAYS_MAGIC = 0x4a534131;

  /** The trailer: CRC-32 (long), payload length (long), magic (int). */
  private static final int TRAILER_BYTES = 2 * Long.BYTES + Integer.BYTES;

  private static final int CRC_BUFFER_BYTES = 1 << 16;

  /**
   * Where a run stands.
   *
   * @param step steps completed
   * @param epoch current epoch (0-based)
   * @param batchInEpoch batches of the current epoch already trained
   * @param trainingFlops FLOPs so far
   * @param wallSeconds training time so far
   * @param settings the run's settings as a flat map
   */
  public record Progress(
      long step,
      int epoch,
      int batchInEpoch,
      double trainingFlops,
      double wallSeconds,
      Map<String, Object> settings) {}

  private Checkpoint() {}

  /**
   * Writes a checkpoint into {@code runDir/checkpoint} atomically. A failure (a full disk) removes
   * the temporary folder, keeps the previous checkpoint and names the folder it could not write.
   */
  public static void write(Path runDir, Map<String, INDArray> arrays, Progress progress)
      throws IOException {
    Path target = runDir.resolve(DIR);
    Path tmp = runDir.resolve(DIR + ".tmp");
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      try (OutputStream file =
              new BufferedOutputStream(Files.newOutputStream(tmp.resolve(ARRAYS)));
          CheckedOutputStream checked = new CheckedOutputStream(file, new CRC32());
          DataOutputStream out = new DataOutputStream(checked)) {
        out.writeInt(arrays.size());
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
          out.writeUTF(e.getKey());
          Nd4j.write(e.getValue(), out);
        }
        out.flush();
        DataOutputStream trailer = new DataOutputStream(file);
        trailer.writeLong(checked.getChecksum().getValue());
        trailer.writeLong(out.size());
        trailer.writeInt(ARRAYS_MAGIC);
        trailer.flush();
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(PROGRESS).toFile(), progress);
    } catch (IOException e) {
      try {
        deleteTree(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new IOException("cannot write the checkpoint " + target + ": " + reason(e), e);
    }
    Path old = runDir.resolve(DIR + ".old");
    deleteTree(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
  }

  /**
   * What went wrong, in words: a file that ends early says so (an {@link java.io.EOFException} has
   * no message), otherwise the exception's message, or its type when it has none.
   */
  static String reason(Throwable e) {
    // ND4J wraps the EOFException of a short file in a RuntimeException named after it
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.EOFException) {
        return "it ends early (truncated)";
      }
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** A JSON file that does not parse, named, with where it stops making sense. */
  static IOException notJson(Path file, com.fasterxml.jackson.core.JsonProcessingException e) {
    var at = e.getLocation();
    return new IOException(
        file
            + " is not valid JSON (truncated or edited?)"
            + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()),
        e);
  }

  /** Whether {@code runDir} holds a checkpoint. */
  public static boolean exists(Path runDir) {
    return Files.isRegularFile(runDir.resolve(DIR).resolve(PROGRESS));
  }

  /**
   * Reads the progress of the checkpoint in {@code runDir}.
   *
   * @throws IOException naming the file when it is missing or unreadable
   */
  public static Progress readProgress(Path runDir) throws IOException {
    Path file = runDir.resolve(DIR).resolve(PROGRESS);
    if (!Files.isRegularFile(file)) {
      throw new IOException(runDir + " holds no checkpoint (" + file + " is missing)");
    }
    Progress p;
    try {
      p = JSON.readValue(file.toFile(), Progress.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw notJson(file, e);
    }
    // JSON null (or a null settings map) read as a record of nothing; --resume then failed later
    // with a NullPointerException (found by CheckpointFuzzTest).
    if (p == null || p.settings() == null) {
      throw new IOException(
          file + " holds no progress (null " + (p == null ? "" : "settings") + ")");
    }
    if (p.step() < 0 || p.epoch() < 0 || p.batchInEpoch() < 0) {
      throw new IOException(
          file
              + ": negative step "
              + p.step()
              + ", epoch "
              + p.epoch()
              + " or batch "
              + p.batchInEpoch());
    }
    return p;
  }

  /**
   * Refuses a progress file that does not describe a position of this run: past its {@code
   * totalSteps}, or a step that is not {@code epoch x batchesPerEpoch + batchInEpoch} (an edited
   * file), which the run would otherwise resume from.
   *
   * @throws IllegalArgumentException naming the file
   */
  public static void checkPosition(Path runDir, Progress p, long totalSteps, int batchesPerEpoch) {
    long position = (long) p.epoch() * batchesPerEpoch + p.batchInEpoch();
    String problem = null;
    if (p.step() < 0 || p.step() > totalSteps) {
      problem = "step " + p.step() + " is outside the run's 0.." + totalSteps + " steps";
    } else if (p.epoch() < 0 || p.batchInEpoch() < 0 || p.batchInEpoch() > batchesPerEpoch) {
      problem =
          "epoch "
              + p.epoch()
              + ", batch "
              + p.batchInEpoch()
              + " is not a position of the run ("
              + batchesPerEpoch
              + " batches per epoch)";
    } else if (position != p.step()) {
      problem =
          "step "
              + p.step()
              + " does not match epoch "
              + p.epoch()
              + ", batch "
              + p.batchInEpoch()
              + " ("
              + batchesPerEpoch
              + " batches per epoch: step "
              + position
              + ")";
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          runDir.resolve(DIR).resolve(PROGRESS)
              + ": "
              + problem
              + "; the file was edited or belongs to another run");
    }
  }

  /** Reads the arrays of the checkpoint in {@code runDir}. */
  public static Map<String, INDArray> readArrays(Path runDir) throws IOException {
    Path file = runDir.resolve(DIR).resolve(ARRAYS);
    Map<String, INDArray> out = new LinkedHashMap<>();
    if (Files.isRegularFile(file) && Files.size(file) == 0) {
      throw new IOException(file + " is empty: the checkpoint is damaged");
    }
    long length = checkedLength(file);
    int n = -1;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      n = in.readInt();
      if (n < 0 || n > length) {
        throw new IOException("it does not start with a count of arrays (" + n + ")");
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        out.put(name, Nd4j.read(in));
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          file
              + " is unreadable"
              + (n < 0 ? "" : " after " + out.size() + " of " + n + " arrays")
              + ": "
              + reason(e),
          e);
    }
    return out;
  }

  /**
   * The payload length of {@code arrays.bin} once its trailer's magic, length and CRC-32 agree with
   * the file. A file without the trailer (written before it existed, or cut short) is refused: it
   * cannot be told from a corrupt one before ND4J reads it.
   */
  private static long checkedLength(Path file) throws IOException {
    long size;
    ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      size = ch.size();
      if (size < TRAILER_BYTES) {
        throw new IOException(file + " is truncated (" + size + " bytes)");
      }
      ch.position(size - TRAILER_BYTES);
      while (trailer.hasRemaining() && ch.read(trailer) >= 0) {
        // reads the whole trailer
      }
    }
    trailer.flip();
    long crc = trailer.getLong();
    long length = trailer.getLong();
    if (trailer.getInt() != ARRAYS_MAGIC || length != size - TRAILER_BYTES) {
      throw new IOException(
          file + " has no valid trailer: corrupt, cut short, or written by an older jitsparse");
    }
    CRC32 actual = new CRC32();
    try (InputStream in = new CheckedInputStream(Files.newInputStream(file), actual)) {
      byte[] buffer = new byte[CRC_BUFFER_BYTES];
      long left = length;
      for (int r; left > 0 && (r = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
        left -= r;
      }
    }
    if (actual.getValue() != crc) {
      throw new IOException(file + " is corrupt (CRC-32 mismatch)");
    }
    return length;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
