package io.jitsparse.cli.evaluate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jitsparse.cli.report.MethodResult;
import io.jitsparse.cli.report.SeedResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The finished rows of an evaluation, one JSON line per (method, seed) in {@code rows.jsonl} of its
 * output folder, appended and forced to disk as each row ends, so that a stopped evaluation ({@code
 * evaluate --resume}) continues at the row it had reached. Each line carries the evaluation's
 * recorded settings; rows of different settings are refused, naming the file.
 */
public final class EvaluationRows {

  /** The file name in the output folder. */
  public static final String FILE = "rows.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  /** The identity, as read back from JSON text (so numbers compare as a row's do). */
  private final JsonNode identity;

  private final String policy;

  /**
   * @param folder the evaluation's output folder
   * @param settings the evaluation's recorded settings: all but its seeds and policy are its
   *     identity (rows are keyed by method and seed, and a learned row names its policy), so the
   *     rows of evaluations run side by side on other seeds or baselines can be joined
   */
  public EvaluationRows(Path folder, Map<String, Object> settings) {
    this.file = folder.resolve(FILE);
    Map<String, Object> kept = new LinkedHashMap<>(settings);
    kept.remove("seeds");
    this.policy = String.valueOf(kept.remove("policy"));
    try {
      this.identity = JSON.readTree(JSON.writeValueAsString(kept));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("settings are not JSON: " + e.getMessage(), e);
    }
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * The rows already done, by method and seed; empty when the file does not exist.
   *
   * @throws IOException naming the file and line when it is unreadable, truncated or of other
   *     settings
   */
  public Map<String, Map<Long, SeedResult>> read() throws IOException {
    Map<String, Map<Long, SeedResult>> done = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return done;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // A byte that is not UTF-8 failed with "Input length = 1", naming no file (found by
      // EvaluationRowsFuzzTest).
      throw new IOException(file + " is unreadable (" + e + ")", e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        if (!identity.equals(n.get("settings"))) {
          throw new IOException(
              file
                  + " line "
                  + (i + 1)
                  + ": made by an evaluation with other settings; give another --out or"
                  + " remove the file");
        }
        SeedResult r = JSON.treeToValue(n.get("result"), SeedResult.class);
        String method = n.get("method").asText();
        if (method.equals(MethodResult.LEARNED) && !policy.equals(n.get("policy").asText())) {
          // a learned row of another policy is not this evaluation's: it runs again
          continue;
        }
        done.computeIfAbsent(method, m -> new LinkedHashMap<>()).put(r.seed(), r);
      } catch (JsonProcessingException | NullPointerException e) {
        if (i == lines.size() - 1) {
          // the last line of an evaluation killed while writing it: that row runs again
          break;
        }
        throw new IOException(file + " line " + (i + 1) + " is not a row: " + e.getMessage(), e);
      }
    }
    return done;
  }

  /** Appends a finished row and forces it to disk. */
  public void append(String method, SeedResult result) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("method", method);
    row.put("policy", policy);
    row.put("settings", identity);
    row.put("result", result);
    try {
      Files.writeString(
          file,
          JSON.writeValueAsString(row) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot append a row to " + file, e);
    }
  }
}
