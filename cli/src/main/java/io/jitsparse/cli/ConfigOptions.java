package io.jitsparse.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns every key under a config path into a {@code --key} option whose default and description
 * come from the config itself ({@code reference.conf} and its comments), so that defaults live in
 * one place and {@code --help} always shows them.
 */
final class ConfigOptions {

  private final String path;
  private final Config section;
  private final Map<String, OptionSpec> options = new LinkedHashMap<>();

  /**
   * @param config the resolved root config (reference.conf plus environment overrides)
   * @param path the section, for example {@code jitsparse.baseline}
   */
  ConfigOptions(Config config, String path) {
    this.path = path;
    this.section = config.getConfig(path);
  }

  /** Adds an option per key of the section to {@code spec}. */
  void addTo(CommandSpec spec) {
    addTo(spec, java.util.Set.of());
  }

  /**
   * Adds an option per key of the section to {@code spec}, except the keys in {@code skip} (flags
   * another section of the same command already owns).
   */
  void addTo(CommandSpec spec, java.util.Set<String> skip) {
    List<String> keys = new ArrayList<>(section.root().keySet());
    keys.removeAll(skip);
    // In file order, so that --help reads like reference.conf.
    keys.sort(java.util.Comparator.comparingInt(k -> section.getValue(k).origin().lineNumber()));
    for (String key : keys) {
      ConfigValue value = section.getValue(key);
      // picocli formats descriptions: a literal percent sign must be doubled.
      String description = String.join(" ", value.origin().comments()).trim().replace("%", "%%");
      OptionSpec.Builder b =
          OptionSpec.builder("--" + key)
              .description(description)
              .defaultValue(render(value))
              .type(String.class);
      if (value.valueType() == ConfigValueType.BOOLEAN) {
        b.arity("0..1").fallbackValue("true").paramLabel("BOOL");
      } else {
        b.paramLabel(key.toUpperCase().replace('-', '_'));
      }
      OptionSpec o = b.build();
      spec.addOption(o);
      options.put(key, o);
    }
  }

  private static String render(ConfigValue value) {
    if (value.valueType() == ConfigValueType.LIST) {
      List<String> parts = new ArrayList<>();
      for (Object o : (List<?>) value.unwrapped()) {
        parts.add(String.valueOf(o));
      }
      return String.join(",", parts);
    }
    return String.valueOf(value.unwrapped());
  }

  /** The keys this section turned into flags. */
  java.util.Set<String> keys() {
    return options.keySet();
  }

  /** {@code base} with the parsed values written into this section. */
  Config applyTo(Config base) {
    Map<String, Object> paths = new LinkedHashMap<>();
    overrides().forEach((k, v) -> paths.put(path + "." + k, v));
    return com.typesafe.config.ConfigFactory.parseMap(paths).withFallback(base).resolve();
  }

  /**
   * The parsed values as overrides of the section's keys ({@code key -> value}); list-valued keys
   * take comma-separated values.
   */
  Map<String, Object> overrides() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, OptionSpec> e : options.entrySet()) {
      String raw = e.getValue().getValue();
      if (raw == null) {
        continue;
      }
      Object v = raw;
      if (section.getValue(e.getKey()).valueType() == ConfigValueType.LIST) {
        List<String> items = new ArrayList<>();
        for (String part : raw.split(",")) {
          if (!part.isBlank()) {
            items.add(part.trim());
          }
        }
        v = items;
      }
      out.put(e.getKey(), v);
    }
    return out;
  }
}
