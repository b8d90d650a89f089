package io.jitsparse.env.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.growth.GrowCriteria;
import io.jitsparse.env.model.Lenet300100;
import io.jitsparse.env.model.WeightTransform;
import io.jitsparse.env.pruning.PruneCriteria;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class DensityMoverTest {

  private SparseNetwork network() {
    SparseNetwork net =
        new SparseNetwork(
            new Lenet300100(),
            5,
            WeightTransform.IDENTITY,
            MaskedWeightsStayZeroTest.optimizer("sgd"));
    MaskedWeightsStayZeroTest.train(net, 3, new SplittableRandom(1), 0.01);
    return net;
  }

  @Test
  void movesEveryLayerToItsTargetDownAndUpWithinOneWeight() {
    SparseNetwork net = network();
    INDArray[] grads = gradients(net);
    for (String prune : PruneCriteria.names()) {
      for (String grow : new String[] {"random", "gradient", "momentum"}) {
        DensityMover mover =
            new DensityMover(
                PruneCriteria.byName(prune), GrowCriteria.byName(grow), new SplittableRandom(2));
        for (double target : new double[] {0.3, 0.05, 0.5, 0.01, 0.9}) {
          for (int i = 0; i < net.tensors().size(); i++) {
            long size = net.tensors().get(i).size();
            long want = DensityMover.targetCount(target, size);
            mover.moveTo(net, i, want, grads[i]);
            assertEquals(want, net.activeCount(i), prune + "/" + grow + " " + target);
            assertEquals(want, (long) net.mask(i).sumNumber().doubleValue());
            assertTrue(Math.abs(net.density(i) * size - target * size) <= 1.0);
          }
        }
      }
    }
  }

  @Test
  void pruneAndRegrowKeepsDensityAndRestartsRegrownWeightsAtZero() {
    SparseNetwork net = network();
    DensityMover mover =
        new DensityMover(
            PruneCriteria.byName("magnitude"),
            GrowCriteria.byName("random"),
            new SplittableRandom(9));
    for (int i = 0; i < net.tensors().size(); i++) {
      mover.moveTo(net, i, DensityMover.targetCount(0.2, net.tensors().get(i).size()), null);
    }
    for (int i = 0; i < net.tensors().size(); i++) {
      long before = net.activeCount(i);
      float[] oldMask = net.mask(i).dup().data().asFloat();
      MaskChange c = mover.pruneAndRegrow(net, i, 0.3, null);
      assertEquals(before, net.activeCount(i));
      assertEquals(c.pruned(), c.grown());
      assertTrue(c.pruned() > 0);
      float[] w = net.weights(i).dup().data().asFloat();
      float[] mask = net.mask(i).dup().data().asFloat();
      int regrown = 0;
      for (int k = 0; k < w.length; k++) {
        if (oldMask[k] == 0f && mask[k] == 1f) {
          assertTrue(w[k] == 0f, "regrown weight must start at zero: " + w[k]);
          regrown++;
        }
        if (mask[k] == 0f) {
          assertTrue(w[k] == 0f);
        }
      }
      assertTrue(regrown > 0);
    }
  }

  @Test
  void globalPruningReachesTheTotalExactly() {
    SparseNetwork net = network();
    DensityMover mover =
        new DensityMover(
            PruneCriteria.byName("magnitude"),
            GrowCriteria.byName("none"),
            new SplittableRandom(4));
    long total = net.tensors().stream().mapToLong(t -> t.size()).sum();
    long target = Math.round(0.1 * total);
    mover.globalPruneTo(net, target, null);
    long active = 0;
    for (int i = 0; i < net.tensors().size(); i++) {
      active += net.activeCount(i);
    }
    assertEquals(target, active);
  }

  private static INDArray[] gradients(SparseNetwork net) {
    org.nd4j.linalg.api.ndarray.INDArray x =
        org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 28, 28, 1);
    org.nd4j.linalg.api.ndarray.INDArray y =
        org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 10);
    for (int b = 0; b < 8; b++) {
      y.putScalar(b, b % 10, 1f);
    }
    net.trackGradientMomentum();
    return net.denseGradients(x, y);
  }
}
