package io.jitsparse.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code --name value} flags of a benchmark: each flag is declared with a default and a help
 * line, unknown flags fail with the list of known ones, and {@code --help} prints them.
 */
final class Flags {

  private static final String PREFIX = "--";
  private static final String HELP = "--help";

  private record Flag(String defaultValue, String help) {}

  private final String command;
  private final Map<String, Flag> declared = new LinkedHashMap<>();
  private final Map<String, String> given = new LinkedHashMap<>();

  Flags(String command) {
    this.command = command;
  }

  /** Declares a flag {@code --name} with its default. */
  Flags declare(String name, Object defaultValue, String help) {
    declared.put(name, new Flag(String.valueOf(defaultValue), help));
    return this;
  }

  /**
   * Reads the arguments.
   *
   * @return false when {@code --help} was asked for (the help has been printed)
   * @throws IllegalArgumentException naming an unknown flag or a flag without a value
   */
  boolean parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals(HELP) || a.equals("-h")) {
        System.out.print(help());
        return false;
      }
      if (!a.startsWith(PREFIX)) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + help());
      }
      String name = a.substring(PREFIX.length());
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!declared.containsKey(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + "\n" + help());
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      given.put(name, value);
    }
    return true;
  }

  /** The flags' help text. */
  String help() {
    StringBuilder sb = new StringBuilder("usage: bench/run " + command + " [flags]\n");
    declared.forEach(
        (name, f) ->
            sb.append(
                String.format(
                    "  --%-14s %s%s%n",
                    name,
                    f.help,
                    f.defaultValue.isEmpty() ? "" : " (default " + f.defaultValue + ")")));
    return sb.toString();
  }

  String string(String name) {
    Flag f = declared.get(name);
    if (f == null) {
      throw new IllegalStateException("undeclared flag " + name);
    }
    return given.getOrDefault(name, f.defaultValue);
  }

  int integer(String name, int min) {
    String v = string(name);
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'", e);
    }
    if (n < min) {
      throw new IllegalArgumentException("--" + name + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  boolean bool(String name) {
    String v = string(name);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  List<String> list(String name) {
    // "" is the empty list (--baseline "": no one-JVM runs)
    return Stream.of(string(name).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
