package io.jitsparse.env.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DstThresholdsAlphaTest {

  private static double densityWithAlpha(double alpha, Path out) throws Exception {
    BaselineSettings s =
        TestRuns.settings(
            Map.of(
                "model",
                "lenet-300-100",
                "method",
                "dst-thresholds",
                "alpha",
                alpha,
                "lr",
                0.05,
                "epochs",
                2,
                "train-samples",
                2048,
                "delta-t",
                "4"));
    Map<String, Object> r =
        new BaselineRun(s, TestRuns.realData(), out, () -> false, System.out).run(false);
    return ((Number) r.get("global_density")).doubleValue();
  }

  @Test
  void higherAlphaEndsSparser(@TempDir Path tmp) throws Exception {
    double low = densityWithAlpha(0.0, tmp.resolve("low"));
    double high = densityWithAlpha(0.05, tmp.resolve("high"));
    assertTrue(high < low - 0.05, "alpha 0.05 ended at density " + high + ", alpha 0 at " + low);
    assertTrue(low > 0.9, "without the regulariser thresholds stay near zero: density " + low);
  }
}
