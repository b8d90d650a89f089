package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DivergenceTest {

  @Test
  void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint(@TempDir Path out) throws Exception {
    BaselineSettings s =
        TestRuns.settings(
            Map.of(
                "model",
                "lenet-300-100",
                "method",
                "dense",
                "lr",
                1e4,
                "momentum",
                0.99,
                "epochs",
                5,
                "train-samples",
                1280,
                "checkpoint-every",
                1));
    NonFiniteLossException e =
        assertThrows(
            NonFiniteLossException.class,
            () -> new BaselineRun(s, TestRuns.realData(), out, () -> false, System.out).run(false));
    assertTrue(e.getMessage().contains("at step " + e.step()), e.getMessage());
    Map<String, Object> partial = RunResult.read(out.resolve(RunResult.FILE));
    assertEquals(true, partial.get("aborted"));
    assertTrue(String.valueOf(partial.get("abort_reason")).contains("at step " + e.step()));
    assertTrue(Checkpoint.exists(out), "the last good checkpoint must be kept");
    Checkpoint.Progress p = Checkpoint.readProgress(out);
    assertTrue(p.step() <= e.step(), "checkpoint at " + p.step() + " precedes the divergence");
    for (var a : Checkpoint.readArrays(out).values()) {
      assertTrue(!a.isInfinite().any() && !a.isNaN().any());
    }
  }
}
