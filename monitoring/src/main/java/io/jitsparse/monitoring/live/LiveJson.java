package io.jitsparse.monitoring.live;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON of {@code GET /api/live} (shape in docs/metrics.md, "Live page"). Numbers are rounded to
 * what the page can show, which keeps the first answer of a long run small; NaN and infinities
 * become {@code null} (JSON has neither).
 */
public final class LiveJson {

  /** Decimals kept of densities, losses and accuracies. */
  static final double ROUNDING = 1e6;

  private static final JsonFactory FACTORY = new JsonFactory();

  private LiveJson() {}

  /** The view as UTF-8 JSON. */
  public static byte[] write(LiveView v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("boardId", v.boardId());
      g.writeNumberField("cursor", v.cursor());
      g.writeNumberField("now", v.nowMillis());
      g.writeNumberField("pollMillis", v.settings().pollInterval().toMillis());
      g.writeNumberField("historyPoints", v.settings().historyPoints());
      g.writeNumberField("curvePoints", v.settings().curvePoints());
      g.writeStringField("runId", v.runId());
      g.writeStringField("node", v.node());
      g.writeArrayFieldStart("trainers");
      for (LiveView.TrainerView t : v.trainers()) {
        trainer(g, t);
      }
      g.writeEndArray();
      curve(g, v.curve());
      g.writeArrayFieldStart("members");
      for (Member m : v.members()) {
        member(g, m);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void trainer(JsonGenerator g, LiveView.TrainerView t) throws IOException {
    TrainerInfo i = t.info();
    g.writeStartObject();
    g.writeStringField("id", i.id());
    g.writeStringField("node", i.node());
    g.writeStringField("model", i.model());
    number(g, "targetDensity", i.targetDensity());
    g.writeNumberField("episodeSteps", i.episodeSteps());
    g.writeArrayFieldStart("layers");
    for (TrainerInfo.Layer l : i.layers()) {
      g.writeStartObject();
      g.writeNumberField("index", l.index());
      g.writeStringField("kind", l.kind());
      g.writeNumberField("parameters", l.parameters());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("stride", t.stride());
    g.writeBooleanField("reset", t.reset());
    g.writeNumberField("updatedAt", t.updatedAtMillis());
    g.writeFieldName("latest");
    if (t.latest() == null) {
      g.writeNull();
    } else {
      point(g, t.latest());
    }
    g.writeArrayFieldStart("points");
    for (StepPoint p : t.points()) {
      point(g, p);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void point(JsonGenerator g, StepPoint p) throws IOException {
    g.writeStartObject();
    g.writeNumberField("episode", p.episode());
    g.writeNumberField("step", p.step());
    g.writeNumberField("globalStep", p.globalStep());
    g.writeArrayFieldStart("densities");
    for (int l = 0; l < p.layers(); l++) {
      value(g, p.density(l));
    }
    g.writeEndArray();
    number(g, "loss", p.loss());
    number(g, "accuracy", p.accuracy());
    g.writeEndObject();
  }

  private static void curve(JsonGenerator g, LiveView.CurveView c) throws IOException {
    g.writeObjectFieldStart("curve");
    g.writeBooleanField("reset", c.reset());
    g.writeNumberField("stride", c.stride());
    g.writeNumberField("episodes", c.episodes());
    g.writeFieldName("latest");
    if (c.latest() == null) {
      g.writeNull();
    } else {
      episode(g, c.latest());
    }
    g.writeArrayFieldStart("points");
    for (EpisodePoint p : c.points()) {
      episode(g, p);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void episode(JsonGenerator g, EpisodePoint p) throws IOException {
    g.writeStartObject();
    g.writeNumberField("n", p.n());
    g.writeStringField("trainer", p.trainerId());
    g.writeNumberField("episode", p.episode());
    number(g, "return", p.episodeReturn());
    number(g, "testAccuracy", p.testAccuracy());
    number(g, "globalDensity", p.globalDensity());
    g.writeNumberField("policyVersion", p.policyVersion());
    g.writeEndObject();
  }

  private static void member(JsonGenerator g, Member m) throws IOException {
    g.writeStartObject();
    g.writeStringField("address", m.address());
    writeStrings(g, "roles", m.roles());
    g.writeStringField("status", m.status());
    g.writeBooleanField("reachable", m.reachable());
    g.writeBooleanField("self", m.self());
    g.writeEndObject();
  }

  private static void writeStrings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String s : values) {
      g.writeString(s);
    }
    g.writeEndArray();
  }

  private static void number(JsonGenerator g, String name, double v) throws IOException {
    g.writeFieldName(name);
    value(g, v);
  }

  private static void value(JsonGenerator g, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumber(Math.round(v * ROUNDING) / ROUNDING);
    } else {
      g.writeNull();
    }
  }
}
