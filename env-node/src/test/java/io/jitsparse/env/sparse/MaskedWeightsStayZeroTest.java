package io.jitsparse.env.sparse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.model.Lenet5Caffe;
import io.jitsparse.env.model.WeightTransform;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaskedWeightsStayZeroTest {

  private static final int STEPS = 200;
  private static final int BATCH = 16;

  static OptimizerSettings optimizer(String name) {
    return new OptimizerSettings(name, 0.9, true, 5e-4, 0.9, 0.999, 1e-8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void prunedWeightsAndTheirOptimiserStateStayExactlyZero(String optimizer) {
    SparseNetwork net =
        new SparseNetwork(new Lenet5Caffe(), 7, WeightTransform.IDENTITY, optimizer(optimizer));
    SplittableRandom rng = new SplittableRandom(3);
    // Train dense for a while so that momentum and Adam moments are non-zero everywhere.
    train(net, STEPS / 4, rng, 0.01);
    float[][] masks = new float[net.tensors().size()][];
    for (int i = 0; i < masks.length; i++) {
      float[] m = new float[(int) net.tensors().get(i).size()];
      for (int k = 0; k < m.length; k++) {
        m[k] = rng.nextDouble() < 0.2 ? 1f : 0f;
      }
      masks[i] = m;
      net.setMask(i, m);
    }
    train(net, STEPS, rng, 0.01);
    Map<String, INDArray> arrays = net.checkpointArrays();
    for (int i = 0; i < masks.length; i++) {
      String name = net.tensors().get(i).name();
      float[] w = net.weights(i).dup().data().asFloat();
      int changedActive = 0;
      for (int k = 0; k < w.length; k++) {
        if (masks[i][k] == 0f) {
          assertTrue(w[k] == 0f, name + "[" + k + "] came back to life: " + w[k]);
        } else if (w[k] != 0f) {
          changedActive++;
        }
      }
      assertTrue(changedActive > 0, name + ": active weights must still train");
      float[] state = arrays.get("opt:" + name).dup().data().asFloat();
      int perCopy = w.length;
      for (int copy = 0; copy < state.length / perCopy; copy++) {
        for (int k = 0; k < perCopy; k++) {
          if (masks[i][k] == 0f) {
            assertTrue(state[copy * perCopy + k] == 0f, name + " optimiser state at " + k);
          }
        }
      }
    }
  }

  static void train(SparseNetwork net, int steps, SplittableRandom rng, double lr) {
    for (int s = 0; s < steps; s++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 28, 28, 1).subi(0.5).muli(2);
      int[] classes = new int[BATCH];
      INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
      for (int b = 0; b < BATCH; b++) {
        classes[b] = rng.nextInt(10);
        y.putScalar(b, classes[b], 1f);
      }
      StepResult r = net.trainStep(x, y, classes, lr, false);
      assertTrue(Double.isFinite(r.loss()));
    }
  }
}
