package io.jitsparse.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard (classic JSON model): every panel target's {@code expr} (panels
 * nested in collapsed rows included) and every query variable, and the substitution of Grafana's
 * variables ({@code $name}, {@code ${name}}, {@code [[name]]}) by fixed values.
 */
public final class DashboardQueries {

  /** Grafana's built-in range variables the dashboards use. */
  public static final String RATE_INTERVAL = "__rate_interval";

  /** Grafana's built-in step variable. */
  public static final String INTERVAL = "__interval";

  /** Grafana's built-in time-range variable. */
  public static final String RANGE = "__range";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{(\\w+)(?::[\\w]+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$");

  private DashboardQueries() {}

  /** One panel target. */
  public record Query(String dashboard, String panel, String refId, String expr) {

    /** "dashboard / panel [refId]" for messages. */
    public String where() {
      return dashboard + " / " + panel + " [" + refId + "]";
    }
  }

  /**
   * A query variable: {@code label_values(selector, label)} (or {@code label_values(label)}, whose
   * selector is empty).
   */
  public record Variable(String dashboard, String name, String definition) {

    /** The series selector of a {@code label_values} query, if it has one. */
    public Optional<String> selector() {
      Matcher m = LABEL_VALUES.matcher(definition);
      return m.matches() ? Optional.of(m.group(1).trim()) : Optional.empty();
    }

    /** The label whose values the variable lists. */
    public String label() {
      Matcher m = LABEL_VALUES.matcher(definition);
      if (m.matches()) {
        return m.group(2);
      }
      Matcher bare =
          Pattern.compile("^\\s*label_values\\(\\s*(\\w+)\\s*\\)\\s*$").matcher(definition);
      if (bare.matches()) {
        return bare.group(1);
      }
      throw new IllegalArgumentException("not a label_values query: " + definition);
    }
  }

  /** A dashboard file and its parsed JSON. */
  public record Dashboard(Path file, JsonNode json) {

    /** The dashboard's uid. */
    public String uid() {
      return json.path("uid").asText();
    }

    /** The dashboard's title. */
    public String title() {
      return json.path("title").asText();
    }

    /** Every panel, rows and panels nested in rows included, in document order. */
    public List<JsonNode> panels() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        out.add(p);
        for (JsonNode nested : p.path("panels")) {
          out.add(nested);
        }
      }
      return out;
    }

    /** Every panel target with an {@code expr}. */
    public List<Query> queries() {
      List<Query> out = new ArrayList<>();
      for (JsonNode p : panels()) {
        for (JsonNode t : p.path("targets")) {
          if (t.hasNonNull("expr")) {
            out.add(
                new Query(
                    title(),
                    p.path("title").asText(),
                    t.path("refId").asText(),
                    t.get("expr").asText()));
          }
        }
      }
      return out;
    }

    /** The template variables in order. */
    public List<JsonNode> templateVariables() {
      List<JsonNode> out = new ArrayList<>();
      json.path("templating").path("list").forEach(out::add);
      return out;
    }

    /** The query variables with their query text (the {@code definition}). */
    public List<Variable> variables() {
      List<Variable> out = new ArrayList<>();
      for (JsonNode v : templateVariables()) {
        if ("query".equals(v.path("type").asText())) {
          JsonNode q = v.path("query");
          String text = q.isObject() ? q.path("query").asText() : q.asText();
          out.add(new Variable(title(), v.path("name").asText(), text));
        }
      }
      return out;
    }
  }

  /** Reads a dashboard file; fails with the file's name when it is not valid JSON. */
  public static Dashboard read(Path file) throws IOException {
    try {
      return new Dashboard(file, JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * {@code text} with every Grafana variable replaced by its value in {@code values} (keys without
   * the {@code $}); an unknown variable is an error.
   */
  public static String substitute(String text, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("no value for $" + name + " in " + text);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
