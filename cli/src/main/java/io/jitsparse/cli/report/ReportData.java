package io.jitsparse.cli.report;

import java.util.List;
import java.util.Map;

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
 */
public record ReportData(
    String title,
    String model,
    double targetDensity,
    long episodeSteps,
    List<String> layerNames,
    List<CurvePoint> curve,
    List<MethodResult> methods,
    Map<String, Object> settings) {}
