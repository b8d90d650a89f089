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

  /** Writes a checkpoint into {@code runDir/checkpoint} atomically. */
  public static void write(Path runDir, Map<String, INDArray> arrays, Progress progress)
      throws IOException {
    Path target = runDir.resolve(DIR);
    Path tmp = runDir.resolve(DIR + ".tmp");
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
    Path old = runDir.resolve(DIR + ".old");
    deleteTree(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
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
    return JSON.readValue(file.toFile(), Progress.class);
  }

  /** Reads the arrays of the checkpoint in {@code runDir}. */
  public static Map<String, INDArray> readArrays(Path runDir) throws IOException {
    Path file = runDir.resolve(DIR).resolve(ARRAYS);
    Map<String, INDArray> out = new LinkedHashMap<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        out.put(name, Nd4j.read(in));
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is unreadable: " + e.getMessage(), e);
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
