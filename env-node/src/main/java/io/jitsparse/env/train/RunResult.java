package io.jitsparse.env.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Writes and reads a run's {@code result.json}, and records provenance (library versions). */
public final class RunResult {

  /** File name of a run's result. */
  public static final String FILE = "result.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunResult() {}

  /** Writes {@code result} to {@code dir/result.json} atomically. */
  public static void write(Path dir, Map<String, Object> result) throws IOException {
    writeJson(dir.resolve(FILE), result);
  }

  /** Writes any JSON value to {@code file} atomically (temporary file, then rename). */
  public static void writeJson(Path file, Object value) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // A full disk says "No space left on device" and nothing else: name the file, and leave
      // neither a partial temporary file nor a partial result behind.
      Files.deleteIfExists(tmp);
      throw new IOException("cannot write " + file + ": " + Checkpoint.reason(e), e);
    }
  }

  /** Reads a JSON object. */
  public static Map<String, Object> read(Path file) throws IOException {
    try {
      return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw Checkpoint.notJson(file, e);
    }
  }

  /**
   * Versions of jitsparse, DL4J/ND4J, the native classifier, Java and the OS, for every result's
   * provenance.
   */
  public static Map<String, Object> versions() {
    Map<String, Object> v = new LinkedHashMap<>();
    Properties p = new Properties();
    try (InputStream in = RunResult.class.getResourceAsStream("/jitsparse-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Provenance is best effort; a missing file is recorded as "unknown" below.
    }
    v.put("jitsparse", p.getProperty("jitsparse", "unknown"));
    v.put("dl4j", p.getProperty("dl4j", "unknown"));
    v.put("nd4j_classifier", p.getProperty("nd4j.classifier", "unknown"));
    v.put("java", System.getProperty("java.version"));
    v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    v.put("cores", Runtime.getRuntime().availableProcessors());
    return v;
  }
}
