package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reward's formula against hand-computed values. */
class EpisodeReportTest {

  @Test
  void rewardIsTheValidationGainMinusThePricedShareOfADenseEpisodesFlops() {
    // 5 points of accuracy gained, a fifth of a dense episode's FLOPs spent at price 0.1
    assertEquals(0.03, EpisodeReport.reward(0.05, 2e9, 1e10, 0.1), 1e-15);
    // the same spend wipes out a 2-point gain
    assertEquals(0.0, EpisodeReport.reward(0.02, 2e9, 1e10, 0.1), 1e-15);
    // a loss of accuracy and a free interval
    assertEquals(-0.01, EpisodeReport.reward(-0.01, 0, 1e10, 0.1), 1e-15);
    // weight 0: accuracy alone
    assertEquals(0.03, EpisodeReport.reward(0.03, 5e9, 1e10, 0), 1e-15);
    // a whole dense episode's FLOPs at weight 0.5 costs half a unit of accuracy
    assertEquals(0.1 - 0.5, EpisodeReport.reward(0.1, 1e10, 1e10, 0.5), 1e-15);
  }

  @Test
  void returnTelescopesToTheAccuracyGainMinusThePricedFlopsShare() {
    double[] v = {0.10, 0.40, 0.55, 0.62, 0.60};
    double[] f = {0, 1.0e9, 1.6e9, 2.0e9, 2.3e9};
    double dense = 4e9;
    double w = 0.25;
    double ret = 0;
    for (int k = 1; k < v.length; k++) {
      ret += EpisodeReport.reward(v[k] - v[k - 1], f[k] - f[k - 1], dense, w);
    }
    // v_T - v_0 - w F_T / F_dense = 0.5 - 0.25 * 0.575
    assertEquals(0.60 - 0.10 - 0.25 * 2.3e9 / 4e9, ret, 1e-12);
    assertEquals(0.35625, ret, 1e-12);
  }
}
