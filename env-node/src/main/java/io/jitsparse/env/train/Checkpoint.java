package io.jitsparse.env.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's checkpoint folder: {@code arrays.bin} (weights, batch-norm statistics, masks, optimiser
 * state, each as a named ND4J array) and {@code progress.json} (steps, epoch and batch position,
 * FLOPs so far, the settings). Random choices after step s derive from (seed, s) and data order
 * from (seed, epoch), so these are the whole RNG state. Written to a temporary sibling and renamed,
 * so a crash never leaves a half-written checkpoint.
 */
public final class Checkpoint {

  /** Folder name inside a run's output folder. */
  public static final String DIR = "checkpoint";

  private static final String ARRAYS = "arrays.bin";
  private static final String PROGRESS = "progress.json";
  private static final ObjectMapper JSON = new ObjectMapper();

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
      try (DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(tmp.resolve(ARRAYS))))) {
        out.writeInt(arrays.size());
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
          out.writeUTF(e.getKey());
          Nd4j.write(e.getValue(), out);
        }
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
    try {
      return JSON.readValue(file.toFile(), Progress.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw notJson(file, e);
    }
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
    int n = -1;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      n = in.readInt();
      if (n < 0) {
        throw new IOException("it does not start with a count of arrays");
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
