package io.jitsparse.env.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.jitsparse.env.train.BaselineSettings;
import io.jitsparse.env.trainer.TrainerSettings;
import io.jitsparse.protocol.fuzz.HostileValues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random HOCON values for the env-node's settings records (issue 15, item 5): one key of {@code
 * jitsparse.env-node} or {@code jitsparse.baseline} set to a hostile value (wrong type, NaN, ±Inf,
 * negative, huge, empty, unicode, a list or an object). Reading may only succeed or refuse with an
 * {@link IllegalArgumentException} naming that key.
 */
class SettingsFuzzTest {

  private static final Config REFERENCE = ConfigFactory.defaultReference();

  @Property
  void hostileTrainerSettingsNameTheirKey(
      @ForAll("trainerKeys") String key, @ForAll("values") Object value) {
    check("jitsparse.env-node", key, value, TrainerSettings::create);
  }

  @Property
  void hostileBaselineSettingsNameTheirKey(
      @ForAll("baselineKeys") String key, @ForAll("values") Object value) {
    check("jitsparse.baseline", key, value, BaselineSettings::fromConfig);
  }

  /**
   * Regression (found by {@link #hostileTrainerSettingsNameTheirKey}): {@code episode-steps =
   * -Infinity} was blamed on {@code decision-interval}, which resolves against it.
   */
  @Example
  void aNegativeEpisodeLengthNamesEpisodeSteps() {
    refused(
        "jitsparse.env-node", "episode-steps", Double.NEGATIVE_INFINITY, TrainerSettings::create);
  }

  /**
   * Regression (found by {@link #hostileBaselineSettingsNameTheirKey}): a NaN {@code weight-decay}
   * was refused as "weight decay", a name no config key or flag has.
   */
  @Example
  void aNaNWeightDecayNamesItsKey() {
    refused("jitsparse.baseline", "weight-decay", Double.NaN, BaselineSettings::fromConfig);
  }

  private static void refused(String path, String key, Object value, Consumer<Config> reader) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> reader.accept(with(path, key, value)));
    assertTrue(e.getMessage().contains(key), e::getMessage);
  }

  private static Config with(String path, String key, Object value) {
    return REFERENCE.withValue(path + "." + key, ConfigValueFactory.fromAnyRef(value)).resolve();
  }

  /** Sets {@code path.key} to {@code value} and reads the settings from the resolved root. */
  static void check(String path, String key, Object value, Consumer<Config> reader) {
    Config root =
        REFERENCE.withValue(path + "." + key, ConfigValueFactory.fromAnyRef(value)).resolve();
    try {
      reader.accept(root);
    } catch (IllegalArgumentException e) {
      assertTrue(
          String.valueOf(e.getMessage()).contains(key),
          () -> path + "." + key + " = " + value + ": message does not name it: " + e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> trainerKeys() {
    return keys("jitsparse.env-node");
  }

  @Provide
  Arbitrary<String> baselineKeys() {
    return keys("jitsparse.baseline");
  }

  private static Arbitrary<String> keys(String path) {
    List<String> keys = new ArrayList<>(REFERENCE.getConfig(path).root().keySet());
    return Arbitraries.of(keys);
  }

  @Provide
  Arbitrary<Object> values() {
    return HostileValues.config();
  }
}
