package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Method replay against real short runs (lenet-300-100, 1024 samples: 8 steps an epoch). */
class ReplayTest {

  private static final int STEPS = 16;
  private static final List<String> LAYERS = layerNames();

  private static BaselineSettings settings(Map<String, Object> overrides) {
    Map<String, Object> m = new HashMap<>();
    m.put("model", "lenet-300-100");
    m.put("density", 0.1);
    m.put("epochs", 2);
    m.put("train-samples", 1024);
    m.put("checkpoint-every", 0);
    m.putAll(overrides);
    return TestRuns.settings(m);
  }

  private static Map<String, Object> run(BaselineSettings s, Path out) throws Exception {
    return new BaselineRun(s, TestRuns.realData(), out, () -> false, System.out).run(false);
  }

  @Test
  void aReplayedGmpRunRecordsTheSameScheduleAndEndsAtTheSameDensity(@TempDir Path tmp)
      throws Exception {
    Path original = tmp.resolve("gmp");
    Map<String, Object> gmp =
        run(
            settings(
                Map.of(
                    "method", "gmp",
                    "schedule", "cubic",
                    "gmp-start", "0%",
                    "gmp-end", "75%",
                    "delta-t", 3)),
            original);
    Path recorded = original.resolve(BaselineRun.SCHEDULE_FILE);

    Path replay = tmp.resolve("replay");
    Map<String, Object> r =
        run(
            settings(Map.of("method", "replay", "schedule-file", recorded.toString(), "seed", 2)),
            replay);

    List<ScheduleLog.Row> want = ScheduleLog.read(recorded);
    List<ScheduleLog.Row> got = ScheduleLog.read(replay.resolve(BaselineRun.SCHEDULE_FILE));
    assertTrue(want.size() > 3 * 4, "gmp pruned at several steps: " + want);
    assertEquals(want, got);
    assertEquals(
        ((Number) gmp.get("global_density")).doubleValue(),
        ((Number) r.get("global_density")).doubleValue(),
        1e-9);
    assertEquals(STEPS, ((Number) r.get("steps")).longValue());
  }

  @Test
  void aScheduleThatGrowsIsFollowedUpAndDown(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("handmade.csv");
    Files.writeString(
        csv,
        "step,layer,density\n"
            + rows(0, 0.2)
            + rows(4, 0.5)
            + rows(8, 0.1)
            + rows(12, 0.1)); // no change: no move
    Map<String, Object> r =
        run(
            settings(Map.of("method", "replay", "schedule-file", csv.toString())),
            tmp.resolve("r"));
    Map<Long, Double> fc1 = new HashMap<>();
    for (ScheduleLog.Row row :
        ScheduleLog.read(tmp.resolve("r").resolve(BaselineRun.SCHEDULE_FILE))) {
      if (row.layer().equals(layer(0))) {
        fc1.put(row.step(), row.density());
      }
    }
    assertEquals(List.of(0L, 4L, 8L), fc1.keySet().stream().sorted().toList());
    assertEquals(0.2, fc1.get(0L), 1e-5);
    assertEquals(0.5, fc1.get(4L), 1e-5);
    assertEquals(0.1, fc1.get(8L), 1e-5);
    assertEquals(0.1, ((Number) r.get("global_density")).doubleValue(), 1e-3);
  }

  @Test
  void aScheduleOfAnotherModelOrLongerRunIsRejectedNamingFileAndLine(@TempDir Path tmp)
      throws Exception {
    Path fewer = tmp.resolve("fewer.csv");
    Files.writeString(fewer, "step,layer,density\n0," + layer(0) + ",1\n0," + layer(1) + ",1\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    settings(Map.of("method", "replay", "schedule-file", fewer.toString())),
                    tmp.resolve("a")));
    assertTrue(e.getMessage().startsWith(fewer + ": line 2:"), e.getMessage());

    Path longer = tmp.resolve("longer.csv");
    Files.writeString(longer, "step,layer,density\n" + rows(0, 1.0) + rows(STEPS + 1, 0.1));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    settings(Map.of("method", "replay", "schedule-file", longer.toString())),
                    tmp.resolve("b")));
    assertTrue(e.getMessage().startsWith(longer + ": line 5:"), e.getMessage());
    assertTrue(e.getMessage().contains("beyond the run's " + STEPS), e.getMessage());

    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("method", "replay")));
    assertTrue(none.getMessage().contains("schedule-file"), none.getMessage());
  }

  /** The prunable layer {@code i} of lenet-300-100, as its schedule.csv names it. */
  private static String layer(int i) {
    return LAYERS.get(i);
  }

  private static List<String> layerNames() {
    return new io.jitsparse.env.sparse.SparseNetwork(
            new io.jitsparse.env.model.Lenet300100(),
            1,
            io.jitsparse.env.model.WeightTransform.IDENTITY,
            new io.jitsparse.env.sparse.OptimizerSettings("sgd", 0.9, true, 0, 0.9, 0.999, 1e-8))
        .tensors().stream().map(io.jitsparse.env.model.PrunableTensor::name).toList();
  }

  private static String rows(long step, double density) {
    StringBuilder b = new StringBuilder();
    for (String l : LAYERS) {
      b.append(step).append(',').append(l).append(',').append(density).append('\n');
    }
    return b.toString();
  }
}
