package io.jitsparse.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.protocol.fuzz.HostileValues;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random HOCON values for {@link AgentSettings} and the {@code LearnerSettings} it reads (issue 15,
 * item 5): one key of {@code jitsparse.agent-node} set to a hostile value. Reading may only succeed
 * or refuse with an {@link IllegalArgumentException} naming that key.
 */
class AgentSettingsFuzzTest {

  private static final String PATH = AgentSettings.PATH;
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  @Property
  void hostileAgentSettingsNameTheirKey(
      @ForAll("keys") String key, @ForAll("values") Object value) {
    Config root = REFERENCE.withValue(PATH + "." + key, ConfigValueFactory.fromAnyRef(value));
    try {
      AgentSettings.create(root.resolve());
    } catch (IllegalArgumentException e) {
      assertTrue(
          String.valueOf(e.getMessage()).contains(key),
          () -> PATH + "." + key + " = " + value + ": message does not name it: " + e.getMessage());
    }
  }

  /**
   * Regression (found by {@link #hostileAgentSettingsNameTheirKey}): a key set to HOCON {@code
   * null} escaped as a ConfigException.Null instead of an IllegalArgumentException.
   */
  @Example
  void aNullDurationIsRefusedByName() {
    Config root =
        REFERENCE.withValue(PATH + ".max-transition-delay", ConfigValueFactory.fromAnyRef(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AgentSettings.create(root.resolve()));
    assertTrue(e.getMessage().contains("max-transition-delay"), e::getMessage);
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of(List.copyOf(REFERENCE.getConfig(PATH).root().keySet()));
  }

  @Provide
  Arbitrary<Object> values() {
    return HostileValues.config();
  }
}
