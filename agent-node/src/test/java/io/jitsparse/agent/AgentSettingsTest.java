package io.jitsparse.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

  @Test
  void defaultsFromReferenceConf() {
    AgentSettings s = AgentSettings.create(ConfigFactory.defaultReference());
    assertEquals(3, s.nStep());
    assertEquals(0.99, s.gamma());
    assertEquals("reference", s.handcraftedSchedule());
    assertEquals(128 * 1024, s.policyChunkSize());
    assertEquals(64L << 20, s.maxPolicyBytes());
    assertEquals("agent", s.learnerRole());
    assertTrue(s.runIdOrMint().matches("run-\\d{8}-\\d{6}-[0-9a-f]{4}"));
  }

  @Test
  void errorsNameTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AgentSettings.create(
                    ConfigFactory.parseString("jitsparse.agent-node.gamma = 1.5")
                        .withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().startsWith("jitsparse.agent-node.gamma"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AgentSettings.create(
                    ConfigFactory.parseString("jitsparse.agent-node.handcrafted-schedule = cosine")
                        .withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().contains("handcrafted-schedule"), e.getMessage());
  }
}
