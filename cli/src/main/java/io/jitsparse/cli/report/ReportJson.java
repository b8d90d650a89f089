package io.jitsparse.cli.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The report's JSON files: {@code comparison.json} and {@code settings.json}. */
final class ReportJson {

  /**
   * Writes NaN and infinities as {@code null}: Jackson would write them as bare or quoted {@code
   * NaN}, which strict parsers reject or read as text.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .registerModule(
              new SimpleModule("finite-numbers")
                  .addSerializer(Double.class, new FiniteSerializer<>(Double.class))
                  .addSerializer(double.class, new FiniteSerializer<>(double.class))
                  .addSerializer(Float.class, new FiniteSerializer<>(Float.class))
                  .addSerializer(float.class, new FiniteSerializer<>(float.class))
                  .addSerializer(double[].class, new FiniteArraySerializer()));

  private ReportJson() {}

  /** Writes {@code value} as indented JSON. */
  static void write(Path file, Object value) throws IOException {
    MAPPER.writeValue(file.toFile(), value);
  }

  /** The objects of {@code comparison.json}, one per method in the report's order. */
  static List<Map<String, Object>> comparison(ReportData data) {
    Optional<MethodResult> baseline = data.firstBaseline();
    PairedComparison paired = PairedComparison.of(data);
    String strongest = paired.strongest().map(MethodResult::method).orElse(null);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (MethodResult m : data.methods()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("method", m.method());
      o.put("description", m.description());
      o.put("test_accuracy", m.meanTestAccuracy());
      o.put("test_accuracy_std", m.stdTestAccuracy());
      o.put("seeds", m.seedNumbers());
      o.put("global_density", m.meanGlobalDensity());
      o.put("global_density_std", m.stdGlobalDensity());
      o.put("training_flops", m.meanTrainingFlops());
      o.put("training_flops_std", m.stdTrainingFlops());
      o.put("training_flops_vs_baseline", baseline.map(b -> relativeFlops(m, b)).orElse(null));
      o.put("baseline", baseline.map(MethodResult::method).orElse(null));
      o.put("steps", m.steps());
      o.put("inference_flops", m.meanInferenceFlops());
      o.put("training_flops_vs_reference", m.meanTrainingFlopsVsReference());
      o.put("inference_flops_vs_reference", m.meanInferenceFlopsVsReference());
      o.put("samples_per_second", m.meanSamplesPerSecond());
      o.put("strongest_baseline", strongest);
      o.put("is_strongest_baseline", m.method().equals(strongest));
      paired
          .of(m)
          .ifPresent(
              p -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("mean", p.mean());
                d.put("ci_low", p.low());
                d.put("ci_high", p.high());
                d.put("coverage", PairedComparison.COVERAGE);
                d.put("every_seed_ahead", p.everySeedAhead());
                List<Map<String, Object>> ds = new ArrayList<>();
                p.perSeed()
                    .forEach((seed, diff) -> ds.add(Map.of("seed", seed, "difference", diff)));
                d.put("per_seed", ds);
                o.put("paired_vs_strongest", d);
              });
      List<Map<String, Object>> perSeed = new ArrayList<>();
      for (SeedResult s : m.seeds()) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("seed", s.seed());
        p.put("test_accuracy", s.testAccuracy());
        p.put("global_density", s.globalDensity());
        p.put("training_flops", s.trainingFlops());
        p.put("steps", s.steps());
        p.put("inference_flops", s.inferenceFlops());
        p.put("training_flops_vs_reference", s.trainingFlopsVsReference());
        p.put("inference_flops_vs_reference", s.inferenceFlopsVsReference());
        p.put("samples_per_second", s.samplesPerSecond());
        perSeed.add(p);
      }
      o.put("per_seed", perSeed);
      rows.add(o);
    }
    return rows;
  }

  /** The object of {@code settings.json}: what the report was made from, besides the results. */
  static Map<String, Object> settings(ReportData data) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("title", data.title());
    o.put("model", data.model());
    o.put("target_density", data.targetDensity());
    o.put("episode_steps", data.episodeSteps());
    o.put("layer_names", data.layerNames());
    o.put("layer_sizes", data.hasLayerSizes() ? data.layerSizes() : null);
    o.put("settings", data.settings());
    return o;
  }

  /** Mean training FLOPs of {@code m} over those of {@code baseline}; NaN when undefined. */
  static double relativeFlops(MethodResult m, MethodResult baseline) {
    double b = baseline.meanTrainingFlops();
    return b > 0 ? m.meanTrainingFlops() / b : Double.NaN;
  }

  /** Writes a floating-point number, or {@code null} when it is not finite. */
  private static final class FiniteSerializer<T extends Number> extends StdSerializer<T> {

    FiniteSerializer(Class<T> type) {
      super(type);
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      double v = value.doubleValue();
      if (Double.isFinite(v)) {
        if (value instanceof Float f) {
          gen.writeNumber(f);
        } else {
          gen.writeNumber(v);
        }
      } else {
        gen.writeNull();
      }
    }
  }

  /** Writes a {@code double[]} with {@code null} for the elements that are not finite. */
  private static final class FiniteArraySerializer extends StdSerializer<double[]> {

    FiniteArraySerializer() {
      super(double[].class);
    }

    @Override
    public void serialize(double[] value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartArray(value, value.length);
      for (double v : value) {
        if (Double.isFinite(v)) {
          gen.writeNumber(v);
        } else {
          gen.writeNull();
        }
      }
      gen.writeEndArray();
    }
  }
}
