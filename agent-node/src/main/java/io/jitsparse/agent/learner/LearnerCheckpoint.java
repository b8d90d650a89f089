package io.jitsparse.agent.learner;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.agent.policy.QFunction;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A learner checkpoint: policy (online network), target network, Adam state and counters in one zip
 * file {@code policy-<updates>.ckpt}. Written to a temporary file in the same folder, forced to
 * disk and renamed over (an atomic move), so a reader or a restart after {@code kill -9} sees
 * either the previous checkpoint or the new one, never half of one. The newest {@code keep} files
 * are kept.
 *
 * @param policyVersion the policy version published last
 * @param updates learner updates done
 * @param transitions transitions the learner had sampled (counting repeats)
 * @param episodes episode summaries the learner had received
 * @param learner the networks and optimiser state
 * @param info free-form provenance (run id, settings), stored as JSON
 */
public record LearnerCheckpoint(
    long policyVersion,
    long updates,
    long transitions,
    long episodes,
    QLearner.State learner,
    Map<String, Object> info) {

  /** File name pattern of checkpoints. */
  public static final Pattern NAME = Pattern.compile("policy-(\\d{12})\\.ckpt");

  private static final String COUNTERS = "checkpoint.json";
  private static final String ONLINE = "online.qnet";
  private static final String TARGET = "target.qnet";
  private static final String OPTIMIZER = "optimizer.bin";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes this checkpoint into {@code dir} atomically, drops all but the newest {@code keep}. */
  public Path write(Path dir, int keep) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(String.format("policy-%012d.ckpt", updates));
    Path tmp = Files.createTempFile(dir, ".policy-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream raw = java.nio.channels.Channels.newOutputStream(ch);
          ZipOutputStream zip = new ZipOutputStream(raw)) {
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("format", FORMAT);
        counters.put("policy_version", policyVersion);
        counters.put("updates", updates);
        counters.put("transitions", transitions);
        counters.put("episodes", episodes);
        counters.put("info", info);
        entry(zip, COUNTERS, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(counters));
        entry(zip, ONLINE, learner.online().toBytes());
        entry(zip, TARGET, learner.target().toBytes());
        entry(zip, OPTIMIZER, optimizerBytes(learner.optimizer()));
        zip.finish();
        raw.flush();
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    prune(dir, keep);
    return file;
  }

  /** Reads a checkpoint file; the message of a failure names it. */
  public static LearnerCheckpoint read(Path file) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    } catch (IOException | IllegalArgumentException e) {
      // IllegalArgumentException too: ZipInputStream throws it for an entry name that is not
      // UTF-8, and latest() skips only IOExceptions: a corrupt newest checkpoint stopped the
      // learner instead of being skipped (found by LearnerCheckpointFuzzTest).
      throw new IOException("policy checkpoint " + file + " is unreadable: " + e.getMessage(), e);
    }
    for (String name : List.of(COUNTERS, ONLINE, TARGET, OPTIMIZER)) {
      if (!entries.containsKey(name)) {
        throw new IOException("policy checkpoint " + file + " lacks " + name);
      }
    }
    try {
      Map<?, ?> c = JSON.readValue(entries.get(COUNTERS), Map.class);
      // JSON null reads as a null map: refused here, not as a NullPointerException below (found
      // by LearnerCheckpointFuzzTest).
      if (c == null) {
        throw new IllegalArgumentException(COUNTERS + " is null");
      }
      if (!Integer.valueOf(FORMAT).equals(c.get("format"))) {
        throw new IllegalArgumentException("format " + c.get("format") + ", expected " + FORMAT);
      }
      QLearner.State state =
          new QLearner.State(
              QFunction.fromBytes(entries.get(ONLINE)),
              QFunction.fromBytes(entries.get(TARGET)),
              readOptimizer(entries.get(OPTIMIZER)),
              number(c, "updates"));
      @SuppressWarnings("unchecked")
      Map<String, Object> info =
          c.get("info") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
      return new LearnerCheckpoint(
          number(c, "policy_version"),
          number(c, "updates"),
          number(c, "transitions"),
          number(c, "episodes"),
          state,
          info);
    } catch (IOException | IllegalArgumentException | ClassCastException e) {
      // IOException too: Jackson's parse errors and the optimiser entry's EOFException named
      // neither the file nor the entry (found by LearnerCheckpointFuzzTest).
      throw new IOException("policy checkpoint " + file + " is malformed: " + e, e);
    }
  }

  /**
   * The newest readable checkpoint in {@code dir} (newer unreadable ones are reported to {@code
   * warnings} and skipped), or empty when there is none.
   */
  public static Optional<LearnerCheckpoint> latest(Path dir, List<String> warnings)
      throws IOException {
    for (Path p : files(dir)) {
      try {
        return Optional.of(read(p));
      } catch (IOException e) {
        warnings.add(e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * The checkpoint a user names: a checkpoint file, or a folder (a run's {@code --out} or its
   * {@code checkpoints} folder) whose newest checkpoint is taken.
   */
  public static Path resolve(Path fileOrDir) throws IOException {
    if (Files.isRegularFile(fileOrDir)) {
      return fileOrDir;
    }
    if (!Files.isDirectory(fileOrDir)) {
      throw new IOException("policy checkpoint " + fileOrDir + " does not exist");
    }
    for (Path dir : List.of(fileOrDir, fileOrDir.resolve("checkpoints"))) {
      List<Path> found = files(dir);
      if (!found.isEmpty()) {
        return found.get(0);
      }
    }
    throw new IOException("no policy-*.ckpt in " + fileOrDir + " or its checkpoints folder");
  }

  /** Checkpoint files in {@code dir}, newest (most updates) first. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    }
  }

  private static void prune(Path dir, int keep) throws IOException {
    List<Path> all = new ArrayList<>(files(dir));
    for (int i = Math.max(1, keep); i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  private static long number(Map<?, ?> c, String key) {
    if (!(c.get(key) instanceof Number n)) {
      throw new IllegalArgumentException("counter " + key + " missing");
    }
    return n.longValue();
  }

  private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  private static byte[] optimizerBytes(Map<String, float[]> state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(state.size());
      for (Map.Entry<String, float[]> e : state.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().length);
        for (float f : e.getValue()) {
          out.writeFloat(f);
        }
      }
    }
    return bytes.toByteArray();
  }

  private static Map<String, float[]> readOptimizer(byte[] data) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      int n = in.readInt();
      if (n < 0 || n > 1024) {
        throw new IOException("optimiser state of " + n + " parameters");
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        int length = in.readInt();
        if (length < 0 || length > data.length / Float.BYTES) {
          throw new IOException("optimiser state of " + name + " has length " + length);
        }
        float[] v = new float[length];
        for (int k = 0; k < length; k++) {
          v[k] = in.readFloat();
        }
        out.put(name, v);
      }
    }
    return out;
  }

  /** The updates count in a checkpoint file name. */
  static long updatesOf(Path file) {
    Matcher m = NAME.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
