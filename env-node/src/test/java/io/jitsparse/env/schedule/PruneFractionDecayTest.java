package io.jitsparse.env.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PruneFractionDecayTest {

  private static final double TOLERANCE = 1e-12;
  private static final long END = 1000;

  @Test
  void cosineDefaultsRunFromHalfToFloor() {
    PruneFractionDecay d = PruneFractionDecay.cosine(END);
    assertEquals(0.5, d.fraction(0), TOLERANCE);
    // halfway: the mean of the two ends
    assertEquals((0.5 + 0.005) / 2, d.fraction(END / 2), TOLERANCE);
    // a quarter of the way: 0.005 + 0.495 (1 + cos(pi/4)) / 2
    assertEquals(0.005 + 0.495 * (1 + Math.cos(Math.PI / 4)) / 2, d.fraction(250), TOLERANCE);
    assertEquals(0.005, d.fraction(END), TOLERANCE);
    assertEquals(0.005, d.fraction(5 * END), TOLERANCE);
  }

  @Test
  void cosineWithZeroFloorIsRigl() {
    PruneFractionDecay d = PruneFractionDecay.byName("cosine", 0.3, 0.0, END);
    for (long t = 0; t <= END; t += 125) {
      assertEquals(0.3 / 2 * (1 + Math.cos(Math.PI * t / END)), d.fraction(t), TOLERANCE);
    }
  }

  @Test
  void linearAndConstant() {
    PruneFractionDecay lin = PruneFractionDecay.byName("linear", 0.4, 0.0, END);
    assertEquals(0.4, lin.fraction(0), TOLERANCE);
    assertEquals(0.1, lin.fraction(750), TOLERANCE);
    assertEquals(0.0, lin.fraction(END), TOLERANCE);
    PruneFractionDecay c = PruneFractionDecay.byName("constant", 0.3, 0.0, END);
    assertEquals(0.3, c.fraction(0), TOLERANCE);
    assertEquals(0.3, c.fraction(END * 2), TOLERANCE);
  }

  @Test
  void rejectsBadArguments() {
    assertEquals(List.of("cosine", "linear", "constant"), PruneFractionDecay.names());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PruneFractionDecay.byName("exp", 0.5, 0, END));
    assertTrue(e.getMessage().contains("exp") && e.getMessage().contains("cosine"));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> PruneFractionDecay.byName("cosine", 1.5, 0, END));
    assertTrue(e.getMessage().contains("1.5"));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> PruneFractionDecay.byName("linear", 0.5, 0, 0));
    assertTrue(e.getMessage().contains("0"));
  }
}
