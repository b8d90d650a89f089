package io.jitsparse.cli;

import com.typesafe.config.ConfigException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line a user gets for a bad flag or config value. Typesafe Config's messages name the
 * value's origin ("hardcoded value" for a flag) and its own wording ("has type STRING rather than
 * NUMBER", "Invalid value at 'epochs'"); a settings class that re-states one keeps them. This finds
 * such a message and says it as the flag the user typed: {@code --density: expected a number}. Any
 * other message is returned as it is.
 */
final class BadInput {

  private static final Pattern BAD_VALUE = Pattern.compile("Invalid value at '([^']+)': (.*)");
  private static final Pattern WRONG_TYPE =
      Pattern.compile("(\\S+) has type (\\S+) rather than (\\S+)");
  private static final Pattern MISSING =
      Pattern.compile("No configuration setting found for key '([^']+)'");

  private BadInput() {}

  /**
   * The line for {@code e}: its message, or the flag and the problem of a config value; a message
   * that starts with a key of one of {@code sections} ({@code jitsparse.env-node.trainers: ...})
   * starts with its flag instead ({@code --trainers: ...}).
   */
  static String describe(Throwable e, String... sections) {
    Optional<ConfigException> config = configCause(e);
    if (config.isEmpty()) {
      String m = String.valueOf(e.getMessage());
      for (String section : sections) {
        if (m.startsWith(section + ".")) {
          return "--" + m.substring(section.length() + 1);
        }
      }
      return m;
    }
    String text = withoutOrigin(config.get());
    Matcher m = BAD_VALUE.matcher(text);
    if (m.matches()) {
      return flag(m.group(1)) + ": " + m.group(2);
    }
    m = WRONG_TYPE.matcher(text);
    if (m.matches()) {
      return flag(m.group(1)) + ": expected " + kind(m.group(3)) + ", not " + kind(m.group(2));
    }
    m = MISSING.matcher(text);
    if (m.matches()) {
      return flag(m.group(1)) + ": no value given";
    }
    return text;
  }

  /**
   * The config exception that {@code e} re-states: the innermost one whose message the outer
   * message still carries (a settings class that wrote its own sentence keeps it).
   */
  private static Optional<ConfigException> configCause(Throwable e) {
    Optional<ConfigException> found = Optional.empty();
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof ConfigException c
          && e.getMessage() != null
          && c.getMessage() != null
          && e.getMessage().contains(withoutOrigin(c))) {
        found = Optional.of(c);
      }
    }
    return found;
  }

  private static String withoutOrigin(ConfigException c) {
    String m = c.getMessage();
    if (c.origin() != null) {
      String prefix = c.origin().description() + ": ";
      if (m.startsWith(prefix)) {
        return m.substring(prefix.length());
      }
    }
    return m;
  }

  /** {@code --key} for a key path: flags are named after the last part of their key. */
  private static String flag(String path) {
    return "--" + path.substring(path.lastIndexOf('.') + 1);
  }

  /** A config value type ({@code NUMBER}, {@code STRING}, ...) in words. */
  private static String kind(String type) {
    return switch (type) {
      case "NUMBER" -> "a number";
      case "BOOLEAN" -> "true or false";
      case "STRING" -> "text";
      case "LIST" -> "a comma-separated list";
      case "OBJECT" -> "a section";
      default -> type.toLowerCase(java.util.Locale.ROOT);
    };
  }
}
