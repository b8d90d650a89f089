package io.jitsparse.cli.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a run or an evaluation report shows.
 *
 * @param title heading of the report (e.g. "jitsparse run run-20261122-...")
 * @param model the evaluated model
 * @param targetDensity the final global density every method ends at
 * @param episodeSteps training steps of each evaluation episode
 * @param layerNames names of the model's prunable layers, in layer order
 * @param curve the learning curve (empty for {@code jitsparse evaluate})
 * @param methods the comparison, {@code learned} first when present
 * @param settings settings worth recording (flag name to value), shown and written as JSON
 * @param layerSizes weights of each prunable layer, in layer order, to weigh per-layer densities
 *     into a global density; empty when unknown (the report then averages layers unweighted and
 *     says so)
 */
public record ReportData(
    String title,
    String model,
    double targetDensity,
    long episodeSteps,
    List<String> layerNames,
    List<CurvePoint> curve,
    List<MethodResult> methods,
    Map<String, Object> settings,
    List<Long> layerSizes) {

  /** Checks that the layer sizes, when given, match the layers. */
  public ReportData {
    layerSizes = layerSizes == null ? List.of() : layerSizes;
    if (!layerSizes.isEmpty() && layerSizes.size() != layerNames.size()) {
      throw new IllegalArgumentException(
          layerSizes.size() + " layer sizes for " + layerNames.size() + " layers");
    }
  }

  /** A report whose layer sizes are unknown. */
  public ReportData(
      String title,
      String model,
      double targetDensity,
      long episodeSteps,
      List<String> layerNames,
      List<CurvePoint> curve,
      List<MethodResult> methods,
      Map<String, Object> settings) {
    this(
        title, model, targetDensity, episodeSteps, layerNames, curve, methods, settings, List.of());
  }

  /** Whether {@link #globalDensity} weighs layers by their sizes. */
  public boolean hasLayerSizes() {
    return !layerSizes.isEmpty();
  }

  /**
   * The global density of per-layer densities: the fraction of all prunable weights kept, or, when
   * the layer sizes are unknown, the unweighted mean over layers.
   */
  public double globalDensity(double[] layerDensities) {
    if (!hasLayerSizes()) {
      return MethodResult.mean(layerDensities);
    }
    double kept = 0;
    double total = 0;
    for (int i = 0; i < layerDensities.length; i++) {
      kept += layerDensities[i] * layerSizes.get(i);
      total += layerSizes.get(i);
    }
    return total == 0 ? Double.NaN : kept / total;
  }

  /** The {@code learned} method, when the comparison has one. */
  public Optional<MethodResult> learned() {
    return methods.stream().filter(MethodResult::isLearned).findFirst();
  }

  /** The first method that is not {@code learned}: the reference of relative FLOPs. */
  public Optional<MethodResult> firstBaseline() {
    return methods.stream().filter(m -> !m.isLearned()).findFirst();
  }
}
