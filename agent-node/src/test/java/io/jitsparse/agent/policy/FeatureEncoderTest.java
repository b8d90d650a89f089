package io.jitsparse.agent.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.LayerKind;
import io.jitsparse.protocol.v1.Observation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FeatureEncoder}: the state's length gives its layer count, every feature stays in [-1, 2]
 * whatever the observation holds, the documented features have the documented values, and a network
 * whose layers are all k times larger reads the same apart from the one feature that reports
 * absolute size.
 */
class FeatureEncoderTest {

  /** Index of a layer's log10(parameters) / 7 feature, the only one that depends on size. */
  private static final int SIZE_FEATURE = 2;

  private static LayerFeatures.Builder layer(int index, int layers, long params, double density) {
    return LayerFeatures.newBuilder()
        .setIndex(index)
        .setKind(index < layers - 1 ? LayerKind.LAYER_KIND_CONV : LayerKind.LAYER_KIND_DENSE)
        .setParameterCount(params)
        .setRelativeDepth(layers == 1 ? 0 : index / (layers - 1.0))
        .setDensity(density)
        .setWeightMagnitudeMean(0.05 * (index + 1))
        .setWeightMagnitudeStd(0.02 * (index + 1))
        .setGradientNorm(0.3 / (index + 1))
        .setMaskChurn(0.01 * index);
  }

  /** lenet5-caffe's four prunable layers, each {@code scale} times as large. */
  private static Observation lenet(long scale, double density) {
    long[] params = {500, 25_000, 400_000, 5_000};
    Observation.Builder o =
        Observation.newBuilder()
            .setStep(300)
            .setTotalSteps(1_200)
            .setSmoothedLoss(0.9)
            .setValidationAccuracy(0.7)
            .setLearningRate(0.01)
            .setGlobalDensity(0.5)
            .setTargetDensity(0.05);
    for (int i = 0; i < params.length; i++) {
      o.addLayers(layer(i, params.length, params[i] * scale, i == 0 ? 1.0 : density));
    }
    return o.build();
  }

  @Test
  void layerCountFollowsFromTheStateLength() {
    for (int layers = 0; layers <= 30; layers++) {
      float[] state = new float[FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layers];
      assertEquals(layers, FeatureEncoder.layers(state));
    }
    assertEquals(4, FeatureEncoder.layers(FeatureEncoder.encode(lenet(1, 0.3))));
    assertThrows(IllegalArgumentException.class, () -> FeatureEncoder.layers(new float[6]));
    assertThrows(
        IllegalArgumentException.class,
        () -> FeatureEncoder.layers(new float[FeatureEncoder.GLOBAL + FeatureEncoder.LAYER + 1]));
  }

  @Test
  void documentedFeaturesHaveTheirValues() {
    float[] s = FeatureEncoder.encode(lenet(1, 0.3));
    assertEquals(0.25f, s[0], 1e-7, "progress = step / total steps");
    assertEquals((float) (0.9 / Math.log(10)), s[1], 1e-7, "loss over the loss of chance");
    assertEquals(0.7f, s[2], 1e-7);
    assertEquals(0.5f, s[3], 1e-7, "log10(0.01) = -2 on [-4, 0]");
    assertEquals(0.5f, s[4], 1e-7);
    assertEquals(0.05f, s[5], 1e-7);
    assertEquals(
        (float) (Math.log(0.5 / 0.05) / Math.log(1 / 0.05)), s[6], 1e-7, "log-way to target");
    int first = FeatureEncoder.GLOBAL;
    assertEquals(1f, s[first], "layer 0 is a convolution");
    assertEquals(1f, s[first + 4], "a dense layer's density feature is its density");
    assertEquals(1f, s[first + 5], 1e-7, "a dense layer is the whole way from its target");
    int second = FeatureEncoder.GLOBAL + FeatureEncoder.LAYER;
    assertEquals(0.3f, s[second + 4], 1e-7);
    int last = FeatureEncoder.GLOBAL + 3 * FeatureEncoder.LAYER;
    assertEquals(0f, s[last], "the last layer is dense (not a convolution)");
    assertEquals(1f, s[last + 1], "relative depth of the last layer");
    assertEquals((float) (Math.log10(5_000) / 7), s[last + SIZE_FEATURE], 1e-7);
    // shares of the parameters add up to 1
    double shares = 0;
    for (int l = 0; l < 4; l++) {
      shares += s[FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * l + 3];
    }
    assertEquals(1.0, shares, 1e-6);
    Observation done = lenet(1, 0.3).toBuilder().setStep(1_200).build();
    assertEquals(1f, FeatureEncoder.encode(done)[0], "progress at the end");
    Observation atTarget = lenet(1, 0.3).toBuilder().setGlobalDensity(0.05).build();
    assertEquals(0f, FeatureEncoder.encode(atTarget)[6], 1e-7, "no way left at the target");
  }

  @Test
  void scaledNetworksReadTheSameApartFromAbsoluteSize() {
    float[] small = FeatureEncoder.encode(lenet(1, 0.3));
    float[] large = FeatureEncoder.encode(lenet(10, 0.3));
    assertEquals(small.length, large.length);
    for (int i = 0; i < small.length; i++) {
      int inLayer = (i - FeatureEncoder.GLOBAL) % FeatureEncoder.LAYER;
      if (i >= FeatureEncoder.GLOBAL && inLayer == SIZE_FEATURE) {
        // ten times the parameters is one more decade: + 1/7
        assertEquals(small[i] + 1f / 7, large[i], 1e-6, "feature " + i);
      } else {
        assertEquals(small[i], large[i], 1e-6, "feature " + i);
      }
    }
  }

  @Test
  void everyFeatureStaysWithinMinusOneAndTwo() {
    SplittableRandom random = new SplittableRandom(8);
    double[] wild = {
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -5, 0, 1e-300, 1e300, 3
    };
    for (int trial = 0; trial < 2_000; trial++) {
      int layers = random.nextInt(0, 25);
      Observation.Builder o =
          Observation.newBuilder()
              .setStep(random.nextLong(-10, 2_000))
              .setTotalSteps(random.nextLong(0, 1_000))
              .setSmoothedLoss(pick(random, wild))
              .setValidationAccuracy(pick(random, wild))
              .setLearningRate(pick(random, wild))
              .setGlobalDensity(pick(random, wild))
              .setTargetDensity(pick(random, wild));
      for (int l = 0; l < layers; l++) {
        o.addLayers(
            LayerFeatures.newBuilder()
                .setKind(
                    random.nextBoolean() ? LayerKind.LAYER_KIND_CONV : LayerKind.LAYER_KIND_DENSE)
                .setParameterCount(random.nextLong(0, 100_000_000))
                .setRelativeDepth(pick(random, wild))
                .setDensity(pick(random, wild))
                .setWeightMagnitudeMean(pick(random, wild))
                .setWeightMagnitudeStd(pick(random, wild))
                .setGradientNorm(pick(random, wild))
                .setMaskChurn(pick(random, wild)));
      }
      float[] s = FeatureEncoder.encode(o.build());
      assertEquals(FeatureEncoder.GLOBAL + FeatureEncoder.LAYER * layers, s.length);
      for (int i = 0; i < s.length; i++) {
        int at = i;
        assertTrue(s[at] >= -1 && s[at] <= 2, () -> "feature " + at + " = " + s[at] + " of " + o);
      }
    }
  }

  /** Half the time a value from {@code wild}, else one in [0, 1). */
  private static double pick(SplittableRandom random, double[] wild) {
    return random.nextBoolean() ? wild[random.nextInt(wild.length)] : random.nextDouble();
  }

  @Test
  void aRowIsTheGlobalFeaturesThenTheLayersOwn() {
    float[] s = FeatureEncoder.encode(lenet(1, 0.3));
    float[] row = new float[FeatureEncoder.ROW + 2];
    FeatureEncoder.row(s, 2, row, 1);
    float[] expected = new float[FeatureEncoder.ROW + 2];
    System.arraycopy(s, 0, expected, 1, FeatureEncoder.GLOBAL);
    System.arraycopy(
        s,
        FeatureEncoder.GLOBAL + 2 * FeatureEncoder.LAYER,
        expected,
        1 + FeatureEncoder.GLOBAL,
        FeatureEncoder.LAYER);
    assertArrayEquals(expected, row);
  }

  @Test
  void theReferenceOffsetFlopsShareAndBudgetSlackAreFeatures() {
    Observation base = lenet(1, 0.3);
    Observation.Builder o = base.toBuilder().setBudgetSlack(0.05);
    o.setLayers(
        1,
        base.getLayers(1).toBuilder()
            .setFlopsShare(0.8)
            .setReferenceDensity(0.5)
            .setLogOffset(Math.log(0.7)));
    float[] s = FeatureEncoder.encode(o.build());
    assertEquals(0.5f, s[7], 1e-7, "slack x10");
    int at = FeatureEncoder.GLOBAL + FeatureEncoder.LAYER;
    assertEquals(0.8f, s[at + 10], 1e-7);
    assertEquals(
        (float) (Math.log(0.5 / 0.05) / Math.log(1 / 0.05)), s[at + 11], 1e-7, "reference's way");
    assertEquals((float) (Math.log(0.7) / Math.log(2)), s[at + 12], 1e-7, "offset over ln 2");
  }
}
