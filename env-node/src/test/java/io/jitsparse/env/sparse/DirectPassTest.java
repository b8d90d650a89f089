package io.jitsparse.env.sparse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.model.Lenet300100;
import io.jitsparse.env.model.Lenet5Caffe;
import io.jitsparse.env.model.ModelArchitecture;
import io.jitsparse.env.model.ResNet18;
import io.jitsparse.env.model.WeightTransform;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-built {@link DirectPass} against the SameDiff graph it replaces: the same loss, logits'
 * accuracy and every parameter's gradient on the same batch, and the same training trajectory.
 */
class DirectPassTest {

  /** More than {@link DirectPass#EVALUATION_CHUNK}, and not a multiple of it. */
  private static final int EVALUATION_BATCH = 300;

  private static final int BATCH = 32;
  private static final int TRAJECTORY_STEPS = 30;

  /**
   * Float32 gradients computed in a different order (gemm vs oneDNN, host loss vs graph) agree to
   * about 1e-6 of their scale; 1e-4 leaves room and still catches any wrong term.
   */
  private static final double GRADIENT_TOLERANCE = 1e-4;

  private static final double LOSS_TOLERANCE = 1e-5;

  /** Thirty SGD steps drift apart by rounding only; a wrong gradient moves the loss by far more. */
  private static final double TRAJECTORY_TOLERANCE = 1e-3;

  /**
   * The last step's gradient norm and the weights after thirty steps are the figures rounding moves
   * most (measured 2e-3 and 1.2e-3 of their scale apart on LeNet-5's conv2); a wrong gradient would
   * move them by their own size.
   */
  private static final double GRADIENT_NORM_TOLERANCE = 1e-2;

  static Stream<Arguments> models() {
    return Stream.of(Arguments.of(new Lenet300100()), Arguments.of(new Lenet5Caffe()));
  }

  private static SparseNetwork network(ModelArchitecture model) {
    return new SparseNetwork(
        model, 11, WeightTransform.IDENTITY, MaskedWeightsStayZeroTest.optimizer("sgd"));
  }

  /** A batch of random images in [-1, 1] and labels. */
  private record Data(INDArray x, INDArray y, int[] classes) {
    static Data random(int batch, SplittableRandom rng) {
      float[] pixels = new float[batch * 28 * 28];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
      int[] classes = new int[batch];
      for (int b = 0; b < batch; b++) {
        classes[b] = rng.nextInt(10);
        y.putScalar(b, classes[b], 1f);
      }
      return new Data(Nd4j.create(pixels, new long[] {batch, 28, 28, 1}, 'c'), y, classes);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void gradientsMatchTheGraphOnTheSameBatch(ModelArchitecture model) {
    SparseNetwork net = network(model);
    assertNotNull(net.directPass(), model.name() + " is a plain chain");
    // Train a little first, so that ReLUs and pools see realistic, not initial, activations.
    MaskedWeightsStayZeroTest.train(net, 3, new SplittableRandom(5), 0.01);
    Data d = Data.random(BATCH, new SplittableRandom(9));
    Map<String, INDArray> reference = net.graphGradients(d.x(), d.y());
    net.directPass().trainingPass(d.x(), d.y(), null);
    Map<String, INDArray> direct = net.directPass().gradients();
    assertEquals(reference.keySet(), direct.keySet());
    for (String name : net.trainableVariables()) {
      INDArray r = reference.get(name);
      INDArray g = direct.get(name);
      double scale = r.amaxNumber().doubleValue();
      double error = g.sub(r).amaxNumber().doubleValue();
      assertTrue(scale > 0, name + " has a gradient");
      assertTrue(
          error <= GRADIENT_TOLERANCE * scale,
          name + ": max |direct - graph| = " + error + " at scale " + scale);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void evaluationMatchesTheGraphAcrossChunks(ModelArchitecture model) {
    SparseNetwork net = network(model);
    MaskedWeightsStayZeroTest.train(net, 3, new SplittableRandom(5), 0.01);
    Data d = Data.random(EVALUATION_BATCH, new SplittableRandom(4));
    SparseNetwork.Evaluation direct = net.evaluate(d.x(), d.y(), d.classes());
    net.useReferenceEngine();
    assertFalse(net.usesDirectPass());
    SparseNetwork.Evaluation graph = net.evaluate(d.x(), d.y(), d.classes());
    assertEquals(graph.samples(), direct.samples());
    assertEquals(graph.correct(), direct.correct());
    assertEquals(graph.meanLoss(), direct.meanLoss(), LOSS_TOLERANCE);
  }

  @ParameterizedTest
  @MethodSource("models")
  void maskedTrainingFollowsTheGraphsTrajectory(ModelArchitecture model) {
    SparseNetwork direct = network(model);
    SparseNetwork graph = network(model);
    graph.useReferenceEngine();
    SplittableRandom maskRng = new SplittableRandom(2);
    for (int i = 0; i < direct.tensors().size(); i++) {
      float[] m = new float[(int) direct.tensors().get(i).size()];
      for (int k = 0; k < m.length; k++) {
        m[k] = maskRng.nextDouble() < 0.3 ? 1f : 0f;
      }
      direct.setMask(i, m);
      graph.setMask(i, m);
    }
    SplittableRandom rng = new SplittableRandom(8);
    for (int s = 0; s < TRAJECTORY_STEPS; s++) {
      Data d = Data.random(BATCH, rng);
      StepResult a = direct.trainStep(d.x(), d.y(), d.classes(), 0.05, s % 10 == 0);
      StepResult b = graph.trainStep(d.x(), d.y(), d.classes(), 0.05, s % 10 == 0);
      assertEquals(b.loss(), a.loss(), TRAJECTORY_TOLERANCE, "loss at step " + s);
      if (s % 10 == 0) {
        for (int i = 0; i < a.denseGradients().length; i++) {
          double scale = b.denseGradients()[i].amaxNumber().doubleValue();
          double error =
              a.denseGradients()[i].sub(b.denseGradients()[i]).amaxNumber().doubleValue();
          assertTrue(error <= TRAJECTORY_TOLERANCE * scale, "dense gradient " + i + " step " + s);
        }
      }
    }
    for (int i = 0; i < direct.tensors().size(); i++) {
      double scale = graph.weights(i).amaxNumber().doubleValue();
      double error = direct.weights(i).sub(graph.weights(i)).amaxNumber().doubleValue();
      assertTrue(error <= GRADIENT_NORM_TOLERANCE * scale, direct.tensors().get(i) + ": " + error);
      assertEquals(
          graph.statistics(i).gradientNorm(),
          direct.statistics(i).gradientNorm(),
          GRADIENT_NORM_TOLERANCE * graph.statistics(i).gradientNorm());
    }
  }

  @Test
  void networksThatAreNotAPlainChainRunTheGraph() {
    SparseNetwork resnet =
        new SparseNetwork(
            new ResNet18(0.125),
            1,
            WeightTransform.IDENTITY,
            MaskedWeightsStayZeroTest.optimizer("sgd"));
    assertNull(resnet.directPass());
    assertFalse(resnet.usesDirectPass());
  }
}
