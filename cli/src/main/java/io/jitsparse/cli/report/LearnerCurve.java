package io.jitsparse.cli.report;

import io.jitsparse.agent.learner.CurveLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The learning curve of an agent's output folder: the finished (not aborted) episodes of its {@code
 * learner-episodes.csv} as {@link CurvePoint}s.
 */
public final class LearnerCurve {

  private LearnerCurve() {}

  /** The curve in {@code out}, empty when the learner heard of no episode. */
  public static List<CurvePoint> read(Path out) throws IOException {
    Path file = out.resolve(CurveLog.FILE);
    List<CurvePoint> curve = new ArrayList<>();
    if (!Files.exists(file)) {
      return curve;
    }
    for (CurveLog.Row r : CurveLog.read(file)) {
      if (!r.aborted()) {
        curve.add(
            new CurvePoint(
                r.episode(),
                r.elapsedSeconds(),
                r.trainerId(),
                r.episodeReturn(),
                r.testAccuracy(),
                r.globalDensity(),
                r.trainingFlops(),
                r.policyVersion()));
      }
    }
    return curve;
  }
}
