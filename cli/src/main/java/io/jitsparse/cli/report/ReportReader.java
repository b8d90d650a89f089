package io.jitsparse.cli.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a written report's {@code comparison.json} back, for tests and CI checks of a run's
 * figures.
 */
public final class ReportReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportReader() {}

  /**
   * The comparison in the report folder {@code dir}: one map per method, in the report's order,
   * with the keys of {@code comparison.json} ({@code method}, {@code test_accuracy}, {@code
   * per_seed}, ...). Numbers that were not finite read as {@code null}.
   */
  public static List<Map<String, Object>> comparison(Path dir) throws IOException {
    return JSON.readValue(
        dir.resolve(ReportWriter.COMPARISON_JSON).toFile(),
        new TypeReference<List<Map<String, Object>>>() {});
  }
}
