package io.jitsparse.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.cli.report.SeedResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationRowsTest {

  private static SeedResult row(long seed, double accuracy) {
    return new SeedResult(
        seed,
        accuracy,
        0.05,
        2e12,
        4210,
        List.of(0L, 421L),
        List.of(new double[] {1, 1}, new double[] {0.5, 0.2}),
        3e5,
        2e12,
        3e5,
        1500);
  }

  @Test
  void finishedRowsReadBackAndATruncatedLastLineRunsAgain(@TempDir Path out) throws IOException {
    Map<String, Object> settings = Map.of("model", "lenet5-caffe", "seeds", List.of(1, 2));
    EvaluationRows rows = new EvaluationRows(out, settings);
    rows.append("gmp-cubic-erk", row(1, 0.85));
    rows.append("learned", row(1, 0.86));
    Files.writeString(
        rows.file(), "{\"method\":\"gmp", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    // other seeds are the same evaluation: rows of evaluations side by side can be joined
    var done = new EvaluationRows(out, Map.of("model", "lenet5-caffe", "seeds", List.of(3))).read();
    assertEquals(0.85, done.get("gmp-cubic-erk").get(1L).testAccuracy());
    assertEquals(0.86, done.get("learned").get(1L).testAccuracy());
    assertEquals(0.5, done.get("learned").get(1L).schedule().get(1)[0]);
    assertEquals(1500, done.get("learned").get(1L).samplesPerSecond());
    // a learned row of another policy is not reused
    var other =
        new EvaluationRows(
                out, Map.of("model", "lenet5-caffe", "seeds", List.of(1), "policy", "v9"))
            .read();
    assertTrue(!other.containsKey("learned"));
  }

  @Test
  void rowsOfOtherSettingsOrACorruptLineAreRefusedNamingTheFile(@TempDir Path out)
      throws IOException {
    new EvaluationRows(out, Map.of("model", "lenet5-caffe")).append("dense", row(1, 0.9));
    IOException e =
        assertThrows(
            IOException.class, () -> new EvaluationRows(out, Map.of("model", "resnet18")).read());
    assertTrue(
        e.getMessage().contains(EvaluationRows.FILE) && e.getMessage().contains("other settings"),
        e.getMessage());
    Files.writeString(out.resolve(EvaluationRows.FILE), "garbage\n{}\n", StandardCharsets.UTF_8);
    IOException bad =
        assertThrows(
            IOException.class, () -> new EvaluationRows(out, Map.of("model", "resnet18")).read());
    assertTrue(bad.getMessage().contains("line 1"), bad.getMessage());
  }
}
