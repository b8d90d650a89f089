package io.jitsparse.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link EpsilonSpread}: Ape-X's exploration rates {@code 0.4^(1 + 7 i / (N - 1))}. */
class EpsilonSpreadTest {

  private static final double BASE = 0.4;
  private static final double ALPHA = 7;

  @Test
  void aPopulationOfOneExploresAtTheBaseRate() {
    assertEquals(0.4, EpsilonSpread.epsilon(0, 1, BASE, ALPHA), 1e-15);
    assertEquals(0.4, EpsilonSpread.epsilon(5, 1, BASE, ALPHA), 1e-15);
  }

  @Test
  void eightSlotsSpreadFromBaseToBaseToTheEighth() {
    // N = 8, alpha = 7: the exponent is 1 + i, so eps_i = 0.4^(i + 1)
    double[] expected = {0.4, 0.16, 0.064, 0.0256, 0.01024, 0.004096, 0.0016384, 0.00065536};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], EpsilonSpread.epsilon(i, 8, BASE, ALPHA), 1e-15, "slot " + i);
    }
  }

  @Test
  void otherPopulationsFollowTheFormula() {
    // N = 3: exponents 1, 4.5, 8
    assertEquals(Math.pow(0.4, 4.5), EpsilonSpread.epsilon(1, 3, BASE, ALPHA), 1e-15);
    assertEquals(Math.pow(0.4, 8), EpsilonSpread.epsilon(2, 3, BASE, ALPHA), 1e-15);
    // alpha 0: everyone at the base rate
    assertEquals(0.4, EpsilonSpread.epsilon(6, 8, BASE, 0), 1e-15);
  }

  @Test
  void slotsBeyondThePopulationWrapAround() {
    assertEquals(
        EpsilonSpread.epsilon(1, 8, BASE, ALPHA), EpsilonSpread.epsilon(9, 8, BASE, ALPHA));
    assertEquals(
        EpsilonSpread.epsilon(0, 8, BASE, ALPHA), EpsilonSpread.epsilon(16, 8, BASE, ALPHA));
    assertEquals(
        EpsilonSpread.epsilon(7, 8, BASE, ALPHA), EpsilonSpread.epsilon(23, 8, BASE, ALPHA));
  }

  @Test
  void rejectsNegativeSlotsAndEmptyPopulations() {
    assertThrows(IllegalArgumentException.class, () -> EpsilonSpread.epsilon(-1, 8, BASE, ALPHA));
    assertThrows(IllegalArgumentException.class, () -> EpsilonSpread.epsilon(0, 0, BASE, ALPHA));
  }
}
