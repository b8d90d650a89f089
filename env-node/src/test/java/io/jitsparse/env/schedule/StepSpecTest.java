package io.jitsparse.env.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepSpecTest {

  @Test
  void parsesStepCount() {
    StepSpec s = StepSpec.parse("800");
    assertFalse(s.isPercent());
    assertEquals(800, s.resolve(100_000));
    assertEquals("800", s.toString());
  }

  @Test
  void parsesPercentages() {
    StepSpec two = StepSpec.parse("2%");
    assertTrue(two.isPercent());
    assertEquals(200, two.resolve(10_000));
    assertEquals("2%", two.toString());
    StepSpec frac = StepSpec.parse("12.5%");
    assertEquals(125, frac.resolve(1000));
    assertEquals("12.5%", frac.toString());
  }

  @Test
  void roundTripsThroughToString() {
    for (String text : new String[] {"0", "800", "2%", "12.5%", "100%", "0.25%"}) {
      StepSpec s = StepSpec.parse(text);
      assertEquals(text, s.toString());
      assertEquals(s, StepSpec.parse(s.toString()));
    }
  }

  @Test
  void periodIsAtLeastOne() {
    assertEquals(0, StepSpec.parse("1%").resolve(10));
    assertEquals(1, StepSpec.parse("1%").resolvePeriod(10));
    assertEquals(1, StepSpec.parse("0").resolvePeriod(10));
    assertEquals(7, StepSpec.parse("7").resolvePeriod(10));
  }

  @Test
  void rejectsBadTextNamingIt() {
    for (String bad : new String[] {"abc", "-5", "150%", "", "5 steps", "%", "-1%"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StepSpec.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
