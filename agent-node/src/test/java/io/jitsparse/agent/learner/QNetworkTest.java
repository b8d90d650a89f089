package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.agent.replay.SampledBatch;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The learner's SameDiff Q-network and its plain-Java copy agree, the copy's wire form round-trips
 * and rejects anything else, and a learner update descends the loss it reports.
 */
class QNetworkTest {

  private static final int[] HIDDEN = {64, 64};
  private static final double HUBER = 1.0;
  private static final float Q_TOLERANCE = 1e-5f;
  private static final int ROWS = 200;

  @Test
  void javaCopyGivesTheGraphsQValues() {
    SplittableRandom random = new SplittableRandom(7);
    try (QNetwork net = new QNetwork(HIDDEN, HUBER, 3)) {
      // push the output layer away from its small initialisation, so Q-values are not all ~0
      float[] w = QNetwork.flat(net.parameter("w2"));
      for (int i = 0; i < w.length; i++) {
        w[i] *= 10;
      }
      net.parameter("w2")
          .assign(org.nd4j.linalg.factory.Nd4j.create(w, net.parameter("w2").shape(), 'c'));
      float[] x = rows(random, ROWS);
      float[][] graph = net.q(x, ROWS);
      QFunction copy = net.snapshot();
      assertEquals(ROWS, graph.length);
      float largest = 0;
      for (int r = 0; r < ROWS; r++) {
        float[] row = Arrays.copyOfRange(x, r * FeatureEncoder.ROW, (r + 1) * FeatureEncoder.ROW);
        float[] java = copy.forward(row);
        assertEquals(MoveSet.size(), java.length);
        for (int m = 0; m < java.length; m++) {
          assertEquals(graph[r][m], java[m], Q_TOLERANCE, "row " + r + " move " + m);
          largest = Math.max(largest, Math.abs(java[m]));
        }
      }
      assertTrue(largest > 0.1, "Q-values large enough to tell networks apart: " + largest);
    }
  }

  @Test
  void loadingACopyReproducesIt() {
    try (QNetwork a = new QNetwork(HIDDEN, HUBER, 1);
        QNetwork b = new QNetwork(HIDDEN, HUBER, 2)) {
      assertNotEquals(a.snapshot(), b.snapshot(), "different seeds, different weights");
      b.load(a.snapshot());
      assertEquals(a.snapshot(), b.snapshot());
      float[] x = rows(new SplittableRandom(5), 10);
      float[][] qa = a.q(x, 10);
      float[][] qb = b.q(x, 10);
      for (int r = 0; r < 10; r++) {
        assertEquals(Arrays.toString(qa[r]), Arrays.toString(qb[r]));
      }
    }
    try (QNetwork small = new QNetwork(new int[] {8}, HUBER, 1);
        QNetwork big = new QNetwork(HIDDEN, HUBER, 1)) {
      assertThrows(IllegalArgumentException.class, () -> big.load(small.snapshot()));
    }
  }

  @Test
  void wireFormRoundTrips() {
    try (QNetwork net = new QNetwork(HIDDEN, HUBER, 11)) {
      QFunction q = net.snapshot();
      byte[] bytes = q.toBytes();
      QFunction back = QFunction.fromBytes(bytes);
      assertEquals(q, back);
      assertEquals(q.hashCode(), back.hashCode());
      assertEquals(Arrays.toString(q.sizes()), Arrays.toString(back.sizes()));
      float[] state = new float[FeatureEncoder.GLOBAL + 3 * FeatureEncoder.LAYER];
      Arrays.fill(state, 0.3f);
      assertEquals(Arrays.deepToString(q.q(state)), Arrays.deepToString(back.q(state)));
    }
  }

  @Test
  void fromBytesRejectsTruncatedAndGarbageBytes() {
    byte[] good;
    try (QNetwork net = new QNetwork(new int[] {16}, HUBER, 4)) {
      good = net.snapshot().toBytes();
    }
    for (int length : new int[] {0, 3, 8, 12, 20, good.length / 2, good.length - 1}) {
      byte[] cut = Arrays.copyOf(good, length);
      assertThrows(
          IllegalArgumentException.class, () -> QFunction.fromBytes(cut), length + " bytes");
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThrows(IllegalArgumentException.class, () -> QFunction.fromBytes(longer));
    byte[] badMagic = good.clone();
    badMagic[0] ^= 1;
    assertThrows(IllegalArgumentException.class, () -> QFunction.fromBytes(badMagic));
    byte[] badEncoder = good.clone();
    badEncoder[7] += 1;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> QFunction.fromBytes(badEncoder));
    assertTrue(e.getMessage().contains("feature encoding"), e.getMessage());
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 100; i++) {
      byte[] garbage = new byte[random.nextInt(1, 4096)];
      for (int k = 0; k < garbage.length; k++) {
        garbage[k] = (byte) random.nextInt(256);
      }
      assertThrows(IllegalArgumentException.class, () -> QFunction.fromBytes(garbage));
    }
    // a valid header followed by an absurd layer size must not allocate it
    byte[] huge = good.clone();
    huge[12] = 0x7f;
    assertThrows(IllegalArgumentException.class, () -> QFunction.fromBytes(huge));
  }

  @Test
  void anUpdateLowersTheLossOnItsOwnBatch() {
    // discount 0: the targets are the rewards and do not move with the network, so the loss the
    // next update reports on the same batch is the loss after this update's step
    SampledBatch batch = batch(new SplittableRandom(21), 32, 0f);
    try (QLearner learner = new QLearner(new QLearner.Config(HIDDEN, 1e-3, HUBER, 1_000_000, 5))) {
      double before = learner.update(batch).loss();
      double after = learner.update(batch).loss();
      assertTrue(after < before, "one step: " + before + " -> " + after);
    }
  }

  @Test
  void fiftyUpdatesOnOneBatchBringTheLossDown() {
    SampledBatch batch = batch(new SplittableRandom(22), 64, 0.9f);
    try (QLearner learner = new QLearner(new QLearner.Config(HIDDEN, 1e-3, HUBER, 1_000_000, 6))) {
      double first = learner.update(batch).loss();
      double last = first;
      for (int i = 0; i < 50; i++) {
        last = learner.update(batch).loss();
      }
      assertEquals(51, learner.updates());
      assertTrue(last < 0.5 * first, "50 updates: " + first + " -> " + last);
    }
  }

  /** {@code n} random rows of features in [0, 1), laid out flat. */
  private static float[] rows(SplittableRandom random, int n) {
    float[] x = new float[n * FeatureEncoder.ROW];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  /** A batch of {@code transitions} transitions of 1 to 4 layers with rewards in [-1, 1]. */
  static SampledBatch batch(SplittableRandom random, int transitions, float discount) {
    int[] layers = new int[transitions];
    int rows = 0;
    for (int i = 0; i < transitions; i++) {
      layers[i] = random.nextInt(1, 5);
      rows += layers[i];
    }
    int[] owner = new int[rows];
    int[] moves = new int[rows];
    int r = 0;
    for (int i = 0; i < transitions; i++) {
      for (int l = 0; l < layers[i]; l++) {
        owner[r] = i;
        moves[r] = random.nextInt(MoveSet.size());
        r++;
      }
    }
    float[] rewards = new float[transitions];
    float[] discounts = new float[transitions];
    double[] weights = new double[transitions];
    int[] slots = new int[transitions];
    long[] ids = new long[transitions];
    for (int i = 0; i < transitions; i++) {
      rewards[i] = (float) (random.nextDouble() * 2 - 1);
      discounts[i] = discount;
      weights[i] = 1;
      slots[i] = i;
      ids[i] = i;
    }
    return new SampledBatch(
        slots,
        ids,
        weights,
        layers,
        rows,
        rows(random, rows),
        rows(random, rows),
        moves,
        owner,
        rewards,
        discounts);
  }
}
