package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnerSettingsTest {

  private static LearnerSettings withBudget(Object budget) {
    Config c =
        ConfigFactory.parseMap(Map.of("budget", budget))
            .withFallback(ConfigFactory.defaultReference().getConfig("jitsparse.agent-node"));
    return LearnerSettings.read(c);
  }

  @Test
  void aBudgetNeedsAUnitAndMustFit() {
    assertEquals(Duration.ofMinutes(30), withBudget("30m").budget());
    assertEquals(Duration.ZERO, withBudget("0s").budget());
    for (Object bad : new Object[] {"30", 30, " 1.5 "}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> withBudget(bad));
      assertTrue(
          e.getMessage().contains("budget") && e.getMessage().contains("no unit"), e.getMessage());
    }
    IllegalArgumentException huge =
        assertThrows(IllegalArgumentException.class, () -> withBudget("99999999999999h"));
    assertTrue(huge.getMessage().contains("budget"), huge.getMessage());
    IllegalArgumentException junk =
        assertThrows(IllegalArgumentException.class, () -> withBudget("5x"));
    assertTrue(junk.getMessage().contains("budget"), junk.getMessage());
  }
}
