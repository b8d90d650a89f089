package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.model.PrunableTensor;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerSchedule;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real episodes (lenet-300-100, tiny data: 40 steps, a decision every 5) driven without Pekko: by a
 * scripted controller, and by the engine's own gradual pruning.
 */
class ControlledEpisodeTest {

  private static final long STEPS = 40;
  private static final long INTERVAL = 5;
  private static final double TARGET = 0.1;

  private static TrainerSettings settings(Path out) {
    return ActorTests.settings(
        out, Map.of("episode-steps", STEPS, "decision-interval", INTERVAL, "density", TARGET));
  }

  private static DensityController offsets(List<Observation> seen, double... logOffsets) {
    return o -> {
      seen.add(o);
      SparsityAction.Builder a = SparsityAction.newBuilder().setPolicyVersion(7);
      for (int i = 0; i < o.getLayersCount(); i++) {
        a.addLayerDensities(o.getLayers(i).getReferenceDensity()).addLayerLogOffsets(logOffsets[i]);
      }
      return Optional.of(a.build());
    };
  }

  @Test
  void theZeroOffsetWithoutBudgetIsTheReferenceMethodItselfPlusItsValidationPasses(
      @TempDir Path out) {
    TrainerSettings s =
        ActorTests.settings(
            out,
            Map.of(
                "episode-steps", STEPS,
                "decision-interval", INTERVAL,
                "density", TARGET,
                "compute-budget", "none"),
            Map.of("jitsparse.baseline.deterministic", true));
    FashionMnist data = ActorTests.data().get();
    List<Observation> seen = new ArrayList<>();
    List<Long> stepped = new ArrayList<>();
    List<Observation> decided = new ArrayList<>();
    ControlledEpisode.ProgressListener progress =
        new ControlledEpisode.ProgressListener() {
          @Override
          public void stepped(StepState st, long totalSteps) {
            assertEquals(STEPS, totalSteps);
            stepped.add(st.step());
          }

          @Override
          public void decided(Observation o) {
            decided.add(o);
          }
        };
    EpisodeSummary steered =
        ControlledEpisode.run(s, 11, data, offsets(seen, 0, 0, 0), "eval-0", progress);
    EpisodeSummary reference =
        ControlledEpisode.runMethod(s, 11, data, s.referenceKeys(), "eval-gmp", null);

    assertFalse(steered.getAborted(), steered.getAbortReason());
    assertEquals(STEPS, steered.getSteps());
    assertEquals(7, steered.getPolicyVersion());
    assertEquals(TARGET, steered.getGlobalDensity(), 1e-3);
    long decisions = s.decisionsPerEpisode();
    assertEquals(STEPS / INTERVAL + 1, decisions);
    assertEquals(decisions, steered.getDecisionStepsCount());
    for (int k = 0; k < decisions; k++) {
      assertEquals(k * INTERVAL, steered.getDecisionSteps(k));
      for (int i = 0; i < 3; i++) {
        assertEquals(
            reference.getSchedule(i).getDensity(k),
            steered.getSchedule(i).getDensity(k),
            1e-6,
            "decision " + k + ", layer " + i);
      }
    }
    assertEquals(reference.getTestAccuracy(), steered.getTestAccuracy(), 1e-9);
    // the same steps; the steered episode also paid one validation pass per decision
    assertTrue(steered.getTrainingFlops() > reference.getTrainingFlops());
    assertEquals(
        reference.getReferenceTrainingFlops(),
        reference.getTrainingFlops(),
        1e-6 * reference.getTrainingFlops());
    assertTrue(steered.getInferenceFlops() <= steered.getReferenceInferenceFlops() * (1 + 1e-9));

    // The listener saw every step and every decision, the final (done) one included.
    assertEquals(STEPS, stepped.size());
    assertEquals(decisions, decided.size());
    assertTrue(decided.get(decided.size() - 1).getDone());
    assertEquals(
        decided.stream().mapToDouble(Observation::getReward).sum(), steered.getReturn(), 1e-12);
    // Asked at every decision but the last; each observation says where the reference goes next.
    assertEquals(decisions - 1, seen.size());
    for (int k = 0; k < seen.size(); k++) {
      Observation o = seen.get(k);
      assertEquals(k, o.getDecision());
      assertFalse(o.getDone());
      for (int i = 0; i < 3; i++) {
        assertEquals(
            reference.getSchedule(i).getDensity(k + 1),
            o.getLayers(i).getReferenceDensity(),
            1e-3,
            "reference of decision " + (k + 1));
        assertEquals(0, o.getLayers(i).getLogOffset(), 1e-4, "whole weights: a rounding");
      }
    }
    // accuracy-only reward without a FLOPs weight: r_k = v_k - v_{k-1}
    for (int k = 1; k < seen.size(); k++) {
      assertEquals(
          seen.get(k).getValidationAccuracy() - seen.get(k - 1).getValidationAccuracy(),
          seen.get(k).getReward(),
          1e-9);
    }
  }

  @Test
  void theBudgetWallHoldsADenserRequestToTheReferenceCompute(@TempDir Path out) {
    TrainerSettings s =
        ActorTests.settings(
            out, Map.of("episode-steps", STEPS, "decision-interval", INTERVAL, "density", TARGET));
    List<Observation> seen = new ArrayList<>();
    double ln2 = Math.log(2);
    EpisodeSummary e =
        ControlledEpisode.run(
            s, 11, ActorTests.data().get(), offsets(seen, ln2, ln2, ln2), "eval-0", null);
    assertFalse(e.getAborted(), e.getAbortReason());
    assertEquals(TARGET, e.getGlobalDensity(), 1e-3);
    // within the reference's training FLOPs but for the held last quarter's validation passes
    double validationShare = 0.05;
    assertTrue(
        e.getTrainingFlops() <= e.getReferenceTrainingFlops() * (1 + validationShare),
        e.getTrainingFlops() + " > " + e.getReferenceTrainingFlops());
    assertTrue(e.getInferenceFlops() <= e.getReferenceInferenceFlops() * (1 + 1e-9));
    // the applied offsets come back below what was asked, and the budget's slack is reported
    boolean lowered = false;
    for (Observation o : seen.subList(1, seen.size())) {
      for (int i = 0; i < o.getLayersCount(); i++) {
        assertTrue(o.getLayers(i).getLogOffset() <= ln2 + 1e-9);
        lowered |= o.getLayers(i).getLogOffset() < ln2 - 1e-3;
      }
      assertTrue(Double.isFinite(o.getBudgetSlack()));
    }
    assertTrue(lowered, "the wall never lowered a doubling");
  }

  @Test
  void anEngineMethodEpisodeIsMeasuredLikeAControlledOne(@TempDir Path out) {
    TrainerSettings s = settings(out);
    FashionMnist data = ActorTests.data().get();
    EpisodeSummary gmp =
        ControlledEpisode.runMethod(
            s,
            11,
            data,
            Map.of(
                "method", "gmp",
                "schedule", "cubic",
                "distribution", "uniform",
                "gmp-initial-density", 1.0,
                "gmp-start", "0%",
                "gmp-end", "75%",
                "delta-t", INTERVAL),
            "eval-gmp",
            null);
    assertFalse(gmp.getAborted(), gmp.getAbortReason());
    assertEquals(TARGET, gmp.getGlobalDensity(), 1e-3);
    assertEquals(s.decisionsPerEpisode(), gmp.getDecisionStepsCount());
    for (LayerSchedule l : gmp.getScheduleList()) {
      assertEquals(s.decisionsPerEpisode(), l.getDensityCount());
      assertEquals(1.0, l.getDensity(0), "gmp starts dense");
      // done pruning at 75% of the episode (step 30, decision 6)
      assertEquals(TARGET, l.getDensity(6), 1e-3);
    }
    assertEquals(0, gmp.getPolicyVersion());
    assertTrue(Double.isFinite(gmp.getReturn()));
    List<String> names = ControlledEpisode.layers(s).stream().map(PrunableTensor::name).toList();
    assertEquals(3, names.size());
    assertEquals(3, names.stream().distinct().filter(n -> !n.isBlank()).count(), "" + names);
  }

  @Test
  void anInvalidEngineMethodNamesTheBadValue(@TempDir Path out) {
    TrainerSettings s = settings(out);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ControlledEpisode.runMethod(
                    s, 1, ActorTests.data().get(), Map.of("method", "lottery"), "eval", null));
    assertTrue(e.getMessage().contains("lottery"), e.getMessage());
  }
}
