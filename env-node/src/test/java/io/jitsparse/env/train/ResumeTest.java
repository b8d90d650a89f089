package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ResumeTest {

  private static final int STOP_AFTER = 13;

  private static BaselineSettings settings() {
    return TestRuns.settings(
        Map.of(
            "model",
            "lenet-300-100",
            "method",
            "dst",
            "grow",
            "random",
            "density",
            0.1,
            "delta-t",
            "4",
            "epochs",
            2,
            "train-samples",
            1280,
            "deterministic",
            true,
            "checkpoint-every",
            0));
  }

  /** The data rows of a step CSV after {@code step}. */
  private static List<String> rowsAfter(List<String> lines, long step) {
    return lines.stream()
        .skip(1)
        .filter(l -> Long.parseLong(l.substring(0, l.indexOf(','))) > step)
        .toList();
  }

  @Test
  void aRunStoppedAndResumedEndsWithTheSameMasksAsOneRunStraightThrough(@TempDir Path tmp)
      throws Exception {
    var data = TestRuns.realData();
    Path straight = tmp.resolve("straight");
    new BaselineRun(settings(), data, straight, () -> false, System.out).run(false);

    Path stopped = tmp.resolve("stopped");
    AtomicInteger asked = new AtomicInteger();
    Map<String, Object> partial =
        new BaselineRun(
                settings(), data, stopped, () -> asked.incrementAndGet() > STOP_AFTER, System.out)
            .run(false);
    assertEquals(true, partial.get("aborted"));
    assertEquals((long) STOP_AFTER, ((Number) partial.get("steps")).longValue());
    assertTrue(Checkpoint.exists(stopped));

    // A kill after the checkpoint leaves the rows of steps that the resumed run trains again.
    long checkpointed = Checkpoint.readProgress(stopped).step();
    List<String> scheduleRows = Files.readAllLines(straight.resolve(BaselineRun.SCHEDULE_FILE));
    Files.write(
        stopped.resolve(BaselineRun.SCHEDULE_FILE),
        rowsAfter(scheduleRows, checkpointed),
        StandardOpenOption.APPEND);
    Files.write(
        stopped.resolve(BaselineRun.STEPS_FILE),
        rowsAfter(Files.readAllLines(straight.resolve(BaselineRun.STEPS_FILE)), checkpointed),
        StandardOpenOption.APPEND);

    Map<String, Object> resumed =
        new BaselineRun(settings(), data, stopped, () -> false, System.out).run(true);
    assertEquals(false, resumed.get("aborted"));
    assertEquals(20L, ((Number) resumed.get("steps")).longValue());

    Map<String, INDArray> a = Checkpoint.readArrays(straight);
    Map<String, INDArray> b = Checkpoint.readArrays(stopped);
    int masks = 0;
    for (String key : a.keySet()) {
      if (key.startsWith("mask:")) {
        assertEquals(a.get(key), b.get(key), key + " differs after resume");
        masks++;
      } else {
        double diff = a.get(key).sub(b.get(key)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, key + " differs by " + diff);
      }
    }
    assertEquals(3, masks);
    assertEquals(
        Files.readAllLines(straight.resolve(BaselineRun.SCHEDULE_FILE)),
        Files.readAllLines(stopped.resolve(BaselineRun.SCHEDULE_FILE)));
    List<String> steps = Files.readAllLines(stopped.resolve(BaselineRun.STEPS_FILE));
    assertEquals(
        Files.readAllLines(straight.resolve(BaselineRun.STEPS_FILE)).size(),
        steps.size(),
        "one row a step");
    assertEquals(
        steps.size() - 1,
        steps.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).distinct().count());
    assertEquals(
        ((Number) resumed.get("training_flops")).doubleValue(),
        ((Number) RunResult.read(straight.resolve(RunResult.FILE)).get("training_flops"))
            .doubleValue(),
        1.0);
  }
}
