package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.density.DensityDistributions;
import io.jitsparse.env.model.Lenet300100;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.model.WeightTransform;
import io.jitsparse.env.schedule.CubicSchedule;
import io.jitsparse.env.sparse.DensityMover;
import io.jitsparse.env.sparse.OptimizerSettings;
import io.jitsparse.env.sparse.SparseNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShortRealRunTest {

  @Test
  void cubicGmpOnAFewThousandImagesLearnsAndFollowsItsSchedule(@TempDir Path out) throws Exception {
    BaselineSettings s =
        TestRuns.settings(
            Map.of(
                "model", "lenet-300-100",
                "method", "gmp",
                "schedule", "cubic",
                "density", 0.1,
                "gmp-start", "10%",
                "gmp-end", "70%",
                "delta-t", "5",
                "epochs", 4,
                "train-samples", 4096));
    Map<String, Object> r =
        new BaselineRun(s, TestRuns.realData(), out, () -> false, System.out).run(false);
    double accuracy = ((Number) r.get("test_accuracy")).doubleValue();
    assertTrue(accuracy > 0.6, "test accuracy " + accuracy + " is not well above chance (0.1)");
    assertEquals(0.1, ((Number) r.get("global_density")).doubleValue(), 0.001);
    assertTrue(Files.size(out.resolve(BaselineRun.SCHEDULE_PLOT)) > 0);

    long total = 4 * (4096 / 128);
    long start = Math.round(0.1 * total);
    long end = Math.round(0.7 * total);
    CubicSchedule cubic = new CubicSchedule(1.0, 0.1, start, end, 5);
    List<PrunableTensor> tensors =
        new SparseNetwork(
                new Lenet300100(),
                1,
                WeightTransform.IDENTITY,
                new OptimizerSettings("sgd", 0.9, true, 0, 0.9, 0.999, 1e-8))
            .tensors();
    Map<Long, Map<String, Double>> byStep = new TreeMap<>();
    for (ScheduleLog.Row row : ScheduleLog.read(out.resolve(BaselineRun.SCHEDULE_FILE))) {
      byStep.computeIfAbsent(row.step(), k -> new TreeMap<>()).put(row.layer(), row.density());
    }
    assertTrue(byStep.size() > 5, "schedule.csv should log every pruning step: " + byStep.keySet());
    for (Map.Entry<Long, Map<String, Double>> e : byStep.entrySet()) {
      double target = cubic.density(e.getKey());
      double[] expected = DensityDistributions.byName("erk", 1.0).densities(tensors, target);
      for (PrunableTensor t : tensors) {
        long want =
            target >= 1.0 ? t.size() : DensityMover.targetCount(expected[t.index()], t.size());
        long got = Math.round(e.getValue().get(t.name()) * t.size());
        assertEquals(want, got, 1, "step " + e.getKey() + " " + t.name());
      }
    }
    assertEquals(0L, byStep.keySet().iterator().next());
    String steps = Files.readAllLines(out.resolve(BaselineRun.STEPS_FILE)).get(0);
    assertTrue(steps.startsWith("step,loss,accuracy,learning_rate"), steps);
    assertEquals(
        tensors.size(),
        List.of(steps.split(",")).stream()
            .filter(c -> c.endsWith(":gradient_norm"))
            .collect(Collectors.toList())
            .size());
  }
}
