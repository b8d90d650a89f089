package io.jitsparse.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricCatalogTest {

  private static final String DOC =
      """
      | name | type | meaning |
      |---|---|---|
      | `jitsparse_trainer_loss` | gauge | loss |
      | `jitsparse_trainer_steps_total` | counter | steps |
      | `jitsparse_trainer_decision_latency_seconds` | histogram | latency |
      """;

  @TempDir Path dir;

  @Test
  void aScrapeMatchingTheCatalogueHasNoProblem() throws Exception {
    String scrape =
        """
        # HELP jitsparse_trainer_loss training loss of the last step
        # TYPE jitsparse_trainer_loss gauge
        jitsparse_trainer_loss{run="r",trainer="t-0"} 2.3
        # TYPE jitsparse_trainer_steps_total counter
        jitsparse_trainer_steps_total{run="r",trainer="t-0"} 4.0
        # TYPE jitsparse_trainer_decision_latency_seconds histogram
        jitsparse_trainer_decision_latency_seconds_bucket{le="0.001",run="r",trainer="t-0"} 0
        # TYPE jitsparse_trainer_decision_latency_seconds_max gauge
        jitsparse_trainer_decision_latency_seconds_max{run="r",trainer="t-0"} 0.0
        """;
    assertEquals(List.of(), catalog().problems(scrape, List.of("jitsparse_trainer_"), Map.of()));
  }

  @Test
  void undocumentedMissingMistypedUnknownLabelsAndUnboundedValuesAreProblems() throws Exception {
    String scrape =
        """
        # HELP jitsparse_trainer_loss \s
        # TYPE jitsparse_trainer_loss counter
        jitsparse_trainer_loss{run="r",trainer="t-0"} 2.3
        # TYPE jitsparse_trainer_secret gauge
        jitsparse_trainer_secret{run="r",trainer="t-1",step="17"} 1.0
        jitsparse_trainer_secret{run="r",trainer="t-2",step="18"} 1.0
        """;
    List<String> p =
        catalog().problems(scrape, List.of("jitsparse_trainer_"), Map.of("trainer", 2));
    String all = String.join("\n", p);
    assertTrue(all.contains("undocumented family jitsparse_trainer_secret"), all);
    assertTrue(all.contains("documented jitsparse_trainer_steps_total is missing"), all);
    assertTrue(all.contains("jitsparse_trainer_loss is a counter, documented as gauge"), all);
    assertTrue(all.contains("has label step outside the fixed set"), all);
    assertTrue(all.contains("jitsparse_trainer_loss has no description"), all);
    assertTrue(all.contains("label trainer has 3 values"), all);
  }

  private MetricCatalog catalog() throws Exception {
    Path md = dir.resolve("metrics.md");
    Files.writeString(md, DOC);
    return MetricCatalog.read(md);
  }
}
