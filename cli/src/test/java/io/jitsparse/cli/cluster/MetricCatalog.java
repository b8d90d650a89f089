package io.jitsparse.cli.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric catalogue of docs/metrics.md held against a node's real {@code /metrics}: every
 * documented family of the node's parts is there with its documented type and a description,
 * nothing undocumented is, label keys come from the fixed set, and label values are bounded by what
 * the run has (trainers, layers).
 */
final class MetricCatalog {

  /** Label keys a series may have: the common ones, the per-meter ones, and the exposition's. */
  static final Set<String> LABEL_KEYS =
      Set.of(
          "role",
          "node",
          "run",
          "trainer",
          "model",
          "layer",
          "outcome",
          "kind",
          "status",
          "member_role",
          "le");

  private static final Pattern ROW = Pattern.compile("^\\| `(jitsparse_\\w+)` \\| (\\w+)");
  private static final Pattern TYPE = Pattern.compile("^# TYPE (jitsparse_\\w+) (\\w+)$");
  private static final Pattern HELP = Pattern.compile("^# HELP (jitsparse_\\w+) ?(.*)$");
  private static final Pattern SAMPLE = Pattern.compile("^(jitsparse_\\w+)\\{([^}]*)} \\S+$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** Documented name to documented type (counter, gauge, histogram, summary, timer). */
  private final Map<String, String> documented;

  private MetricCatalog(Map<String, String> documented) {
    this.documented = documented;
  }

  /** The catalogue in {@code markdown} (docs/metrics.md). */
  static MetricCatalog read(Path markdown) throws IOException {
    Map<String, String> d = new TreeMap<>();
    for (String line : Files.readAllLines(markdown)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        d.put(m.group(1), m.group(2));
      }
    }
    if (d.isEmpty()) {
      throw new IllegalStateException(markdown + " documents no metric");
    }
    return new MetricCatalog(d);
  }

  /**
   * What is wrong with {@code scrape} (empty when nothing): {@code prefixes} name the node's parts
   * whose documented families must all be present (e.g. {@code jitsparse_trainer_}).
   */
  List<String> problems(String scrape, List<String> prefixes, Map<String, Integer> maxValues) {
    List<String> problems = new ArrayList<>();
    Map<String, String> families = new HashMap<>();
    Map<String, Set<String>> values = new TreeMap<>();
    for (String line : scrape.lines().toList()) {
      Matcher h = HELP.matcher(line);
      if (h.matches() && h.group(2).isBlank()) {
        problems.add(h.group(1) + " has no description (HELP)");
        continue;
      }
      Matcher t = TYPE.matcher(line);
      if (t.matches()) {
        families.put(t.group(1), t.group(2));
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (s.matches()) {
        Matcher l = LABEL.matcher(s.group(2));
        while (l.find()) {
          if (!LABEL_KEYS.contains(l.group(1))) {
            problems.add(s.group(1) + " has label " + l.group(1) + " outside the fixed set");
          }
          values.computeIfAbsent(l.group(1), k -> new TreeSet<>()).add(l.group(2));
        }
      }
    }
    Set<String> explained = new HashSet<>();
    for (Map.Entry<String, String> f : families.entrySet()) {
      String name = f.getKey();
      String type = f.getValue();
      String doc = documentedName(name, type);
      if (doc == null) {
        problems.add("undocumented family " + name + " (" + type + ")");
        continue;
      }
      explained.add(doc);
      if (!name.endsWith("_max") && !typeMatches(documented.get(doc), type)) {
        problems.add(name + " is a " + type + ", documented as " + documented.get(doc));
      }
    }
    for (String doc : documented.keySet()) {
      if (prefixes.stream().anyMatch(doc::startsWith) && !explained.contains(doc)) {
        problems.add("documented " + doc + " is missing");
      }
    }
    for (Map.Entry<String, Integer> bound : maxValues.entrySet()) {
      Set<String> seen = values.getOrDefault(bound.getKey(), Set.of());
      if (seen.size() > bound.getValue()) {
        problems.add(
            "label "
                + bound.getKey()
                + " has "
                + seen.size()
                + " values "
                + seen
                + " > "
                + bound.getValue());
      }
    }
    return problems;
  }

  /** The documented name a scraped family belongs to, or null. */
  private String documentedName(String family, String type) {
    List<String> candidates = new ArrayList<>(List.of(family, family + "_total"));
    if (family.endsWith("_max")) {
      candidates.add(family.substring(0, family.length() - "_max".length()));
    }
    return candidates.stream().filter(documented::containsKey).findFirst().orElse(null);
  }

  private static boolean typeMatches(String documentedType, String type) {
    return switch (documentedType) {
      case "counter" -> type.equals("counter");
      case "gauge" -> type.equals("gauge");
      case "histogram" -> type.equals("histogram");
      case "timer", "summary" -> type.equals("summary") || type.equals("histogram");
      default -> false;
    };
  }
}
