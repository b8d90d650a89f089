package io.jitsparse.env.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class DataSplitTest {

  private static final int TRAIN = 200;
  private static final int TEST = 30;
  private static final int VALIDATION = 20;
  private static final long SEED = 42;
  private static final int BATCH = 32;
  private static final float TOLERANCE = 1e-6f;

  private static final FashionMnist DATA =
      new FashionMnist(
          IdxFixtureFiles.pixels(TRAIN),
          IdxFixtureFiles.labels(TRAIN),
          IdxFixtureFiles.pixels(TEST),
          IdxFixtureFiles.labels(TEST),
          "in-memory",
          Map.of());

  @Test
  void holdsOutTheRoundedFractionAndLimitsTraining() {
    DataSplit split = new DataSplit(DATA, SEED);
    assertEquals(VALIDATION, split.validationSize());
    assertEquals(TRAIN - VALIDATION, split.trainSize());
    assertEquals(TEST, split.testSize());

    int limit = 50;
    DataSplit limited = new DataSplit(DATA, SEED, 0.1, OptionalInt.of(limit));
    assertEquals(limit, limited.trainSize());
    assertArrayEquals(split.validationIndices(), limited.validationIndices());
    assertArrayEquals(Arrays.copyOf(split.trainIndices(), limit), limited.trainIndices());

    assertEquals(67, new DataSplit(DATA, SEED, 1 / 3.0, OptionalInt.empty()).validationSize());
  }

  @Test
  void validationIsDisjointFromTrainingAndTogetherTheyCoverEverySample() {
    DataSplit split = new DataSplit(DATA, SEED);
    Set<Integer> validation = toSet(split.validationIndices());
    Set<Integer> train = toSet(split.trainIndices());

    assertEquals(VALIDATION, validation.size());
    assertEquals(TRAIN - VALIDATION, train.size());
    assertTrue(validation.stream().noneMatch(train::contains));
    Set<Integer> all = new HashSet<>(train);
    all.addAll(validation);
    assertEquals(toSet(IntStream.range(0, TRAIN).toArray()), all);

    // Epoch batches only ever visit training samples.
    Batches batches = split.batches(BATCH, SEED, 0);
    while (batches.hasNext()) {
      for (int sample : batches.next().sampleIndices()) {
        assertFalse(validation.contains(sample), "validation sample " + sample + " in training");
      }
    }
  }

  @Test
  void sameSeedGivesSameSplitAndBatchOrder() {
    DataSplit first = new DataSplit(DATA, SEED);
    DataSplit second = new DataSplit(DATA, SEED);

    assertArrayEquals(first.validationIndices(), second.validationIndices());
    assertArrayEquals(first.trainIndices(), second.trainIndices());
    assertEquals(sampleOrder(first.batches(BATCH, 7, 3)), sampleOrder(second.batches(BATCH, 7, 3)));
    assertEquals(
        first.batches(BATCH, 7, 3).next().features(),
        second.batches(BATCH, 7, 3).next().features());
  }

  @Test
  void differentSeedsOrEpochsGiveDifferentOrders() {
    DataSplit split = new DataSplit(DATA, SEED);
    DataSplit other = new DataSplit(DATA, SEED + 1);

    assertFalse(Arrays.equals(split.validationIndices(), other.validationIndices()));
    List<Integer> epochZero = sampleOrder(split.batches(BATCH, 7, 0));
    assertFalse(epochZero.equals(sampleOrder(split.batches(BATCH, 7, 1))));
    assertFalse(epochZero.equals(sampleOrder(split.batches(BATCH, 8, 0))));
  }

  @Test
  void trainingDropsTheLastIncompleteBatch() {
    DataSplit split = new DataSplit(DATA, SEED);
    int expectedBatches = (TRAIN - VALIDATION) / BATCH;

    Batches batches = split.batches(BATCH, SEED, 0);

    assertEquals(expectedBatches, split.trainBatchesPerEpoch(BATCH));
    assertEquals(expectedBatches, batches.batchCount());
    int seen = 0;
    while (batches.hasNext()) {
      assertEquals(BATCH, batches.next().size());
      seen++;
    }
    assertEquals(expectedBatches, seen);
  }

  @Test
  void evaluationCoversEverySampleInFixedOrder() {
    DataSplit split = new DataSplit(DATA, SEED);
    int batch = 8;

    List<Integer> validationSizes = new ArrayList<>();
    List<Integer> validationOrder = new ArrayList<>();
    Batches validation = split.validationBatches(batch);
    while (validation.hasNext()) {
      Batch b = validation.next();
      validationSizes.add(b.size());
      Arrays.stream(b.sampleIndices()).forEach(validationOrder::add);
    }
    assertEquals(List.of(8, 8, 4), validationSizes);
    assertEquals(Arrays.stream(split.validationIndices()).boxed().toList(), validationOrder);

    List<Integer> testOrder = sampleOrder(split.testBatches(batch));
    assertEquals(IntStream.range(0, TEST).boxed().toList(), testOrder);
    Batch lastTest = lastOf(split.testBatches(batch));
    assertEquals(TEST % batch, lastTest.size());
    assertArrayEquals(new long[] {TEST % batch, 28, 28, 1}, lastTest.features().shape());
  }

  @Test
  void batchesHoldNormalisedNhwcPixelsAndOneHotLabels() {
    DataSplit split = new DataSplit(DATA, SEED);
    Batches batches = split.batches(BATCH, SEED, 2);
    Batch first = batches.next();
    Batch second = batches.next();

    assertEquals(DataType.FLOAT, first.features().dataType());
    assertEquals(DataType.FLOAT, first.labels().dataType());
    assertArrayEquals(new long[] {BATCH, 28, 28, 1}, first.features().shape());
    assertArrayEquals(new long[] {BATCH, FashionMnist.CLASSES}, first.labels().shape());
    // Checked after building the second batch: reusing the fill buffer must not alter the first.
    for (Batch batch : List.of(first, second)) {
      assertBatchMatchesData(batch);
    }
  }

  @Test
  void normalisationMapsPixelRangeOntoMinusOneToOne() {
    assertEquals(-1f, Batches.normalise(0));
    assertEquals(1f, Batches.normalise(255));
    assertEquals((128 / 255f - 0.5f) / 0.5f, Batches.normalise(128), TOLERANCE);
    for (int pixel = 1; pixel < 256; pixel++) {
      assertTrue(Batches.normalise(pixel) > Batches.normalise(pixel - 1), "monotonic at " + pixel);
    }
    Batch batch = new DataSplit(DATA, SEED).testBatches(TEST).next();
    assertEquals(-1.0, batch.features().minNumber().doubleValue(), TOLERANCE);
    assertEquals(1.0, batch.features().maxNumber().doubleValue(), TOLERANCE);
  }

  @Test
  void resumingAtBatchKMatchesIteratingToK() {
    DataSplit split = new DataSplit(DATA, SEED);
    int epoch = 3;
    int k = 2;
    Batches full = split.batches(BATCH, SEED, epoch);
    for (int i = 0; i < k; i++) {
      full.next();
    }
    assertEquals(k, full.nextBatchIndex());

    Batches resumed = split.batches(BATCH, SEED, epoch, k);
    assertEquals(k, resumed.nextBatchIndex());
    Batch expected = full.next();
    Batch actual = resumed.next();

    assertArrayEquals(expected.sampleIndices(), actual.sampleIndices());
    assertEquals(expected.features(), actual.features());
    assertEquals(expected.labels(), actual.labels());
    assertEquals(sampleOrder(full), sampleOrder(resumed));
  }

  @Test
  void fixedValidationBatchIsTheFirstValidationSamples() {
    DataSplit split = new DataSplit(DATA, SEED);
    int size = 5;

    Batch batch = split.fixedValidationBatch(size);

    assertArrayEquals(Arrays.copyOf(split.validationIndices(), size), batch.sampleIndices());
    assertBatchMatchesData(batch);
    assertThrows(IllegalArgumentException.class, () -> split.fixedValidationBatch(VALIDATION + 1));
  }

  @Test
  void rejectsImpossibleSettings() {
    DataSplit split = new DataSplit(DATA, SEED);
    assertThrows(IllegalArgumentException.class, () -> split.batches(TRAIN, SEED, 0));
    assertThrows(IllegalArgumentException.class, () -> split.batches(BATCH, SEED, 0, 6));
    IllegalArgumentException tooMany =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DataSplit(DATA, SEED, 0.1, OptionalInt.of(TRAIN)));
    assertTrue(tooMany.getMessage().contains("--train-samples 200"), tooMany.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new DataSplit(DATA, SEED, 1.0, OptionalInt.empty()));
  }

  /** Every feature and label of the batch agrees with the raw training bytes of its samples. */
  private static void assertBatchMatchesData(Batch batch) {
    float[] features = batch.features().data().asFloat();
    float[] labels = batch.labels().data().asFloat();
    for (int row = 0; row < batch.size(); row++) {
      int sample = batch.sampleIndices()[row];
      for (int p = 0; p < FashionMnist.PIXELS; p++) {
        int pixel = Byte.toUnsignedInt(DATA.trainImages()[sample * FashionMnist.PIXELS + p]);
        float expected = (pixel / 255f - 0.5f) / 0.5f;
        float actual = features[row * FashionMnist.PIXELS + p];
        assertEquals(expected, actual, TOLERANCE, "sample " + sample + " pixel " + p);
        assertTrue(actual >= -1f && actual <= 1f);
      }
      int label = DATA.trainLabels()[sample];
      assertEquals(label, batch.classes()[row]);
      for (int c = 0; c < FashionMnist.CLASSES; c++) {
        assertEquals(c == label ? 1f : 0f, labels[row * FashionMnist.CLASSES + c]);
      }
    }
  }

  private static List<Integer> sampleOrder(Batches batches) {
    List<Integer> order = new ArrayList<>();
    while (batches.hasNext()) {
      Arrays.stream(batches.next().sampleIndices()).forEach(order::add);
    }
    return order;
  }

  private static Batch lastOf(Batches batches) {
    Batch last = null;
    while (batches.hasNext()) {
      last = batches.next();
    }
    return last;
  }

  private static Set<Integer> toSet(int[] values) {
    Set<Integer> set = new HashSet<>();
    Arrays.stream(values).forEach(set::add);
    return set;
  }
}
