package io.jitsparse.env.flops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jitsparse.env.model.PrunableTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingFlopsTest {

  // conv 3x3, 1 -> 4 channels on a 6x6 input without padding: 4x4 = 16 output positions;
  // dense 64 -> 10.
  private static final List<PrunableTensor> NET =
      List.of(
          new PrunableTensor(
              0, "conv/W", PrunableTensor.Kind.CONV, new long[] {3, 3, 1, 4}, 9, 4, 16),
          new PrunableTensor(1, "fc/W", PrunableTensor.Kind.DENSE, new long[] {64, 10}, 64, 10, 1));

  @Test
  void matchesHandArithmetic() {
    TrainingFlops f = new TrainingFlops(NET);
    // f_D = 2 * 36 weights * 16 positions + 2 * 640 weights = 1152 + 1280
    assertEquals(2432, f.denseForwardPerSample());
    // f_S at densities 0.5 and 0.1 = 576 + 128
    assertEquals(704, f.sparseForwardPerSample(new double[] {0.5, 0.1}), 1e-9);
    // normal step, batch 2: 3 * 704 * 2
    assertEquals(4224, f.stepFlops(2, new double[] {0.5, 0.1}, false), 1e-9);
    // dense-gradient step, batch 2: (2 * 704 + 2432) * 2
    assertEquals(7680, f.stepFlops(2, new double[] {0.5, 0.1}, true), 1e-9);
    f.addStep(2, new double[] {0.5, 0.1}, false);
    f.addStep(2, new double[] {0.5, 0.1}, true);
    assertEquals(4224 + 7680, f.total(), 1e-9);
    // dense run of 2 steps of batch 2: 3 * 2432 * 2 * 2
    assertEquals(29184, f.denseRun(2, 2), 1e-9);
    // a dense model at density 1 costs exactly the dense run
    TrainingFlops dense = new TrainingFlops(NET);
    dense.addStep(2, new double[] {1, 1}, false);
    dense.addStep(2, new double[] {1, 1}, false);
    assertEquals(dense.denseRun(2, 2), dense.total(), 1e-9);
  }
}
