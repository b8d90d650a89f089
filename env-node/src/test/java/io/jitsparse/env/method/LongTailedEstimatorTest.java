package io.jitsparse.env.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LongTailedEstimatorTest {

  @Test
  void forwardIsTheStepAndGradientHasThePapersShape() {
    float[] xs = {
      -1.5f, -0.999f, -0.7f, -0.4f, -0.2f, -0.05f, 0.0f, 0.05f, 0.2f, 0.39f, 0.6f, 0.99f, 1.2f
    };
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
    SDVariable y = LongTailedEstimator.step(sd, x);
    y.rename("y");
    y.sum("loss");
    sd.setLossVariables("loss");
    INDArray forward = sd.output(Map.of(), "y").get("y");
    INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
    for (int i = 0; i < xs.length; i++) {
      assertEquals(xs[i] > 0 ? 1f : 0f, forward.getFloat(i), 0f, "forward at " + xs[i]);
      double expected = LongTailedEstimator.derivative(xs[i]);
      assertEquals(expected, grad.getDouble(i), 1e-5, "gradient at " + xs[i]);
    }
    // (at exactly |x| = 1 ND4J's clip has zero gradient: a measure-zero point the paper's
    // closed interval includes)
    // the paper's shape, spelled out: 2 - 4|x| in the core, 0.4 on the tail, 0 beyond
    assertEquals(2.0, LongTailedEstimator.derivative(0), 0);
    assertEquals(1.2, LongTailedEstimator.derivative(0.2), 1e-12);
    assertEquals(0.4, LongTailedEstimator.derivative(0.7), 0);
    assertEquals(0.0, LongTailedEstimator.derivative(1.5), 0);
    assertEquals(DataType.FLOAT, grad.dataType());
  }
}
