package io.jitsparse.env.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.flops.TrainingFlops;
import io.jitsparse.env.model.PrunableTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget wall on lenet5-caffe's real layers over a 200-step episode: the zero offset is the
 * reference, a greedy request is held to the reference's training FLOPs at every decision and to
 * its final inference FLOPs, and the last quarter holds the allocation at the target density.
 */
class BudgetWallTest {

  private static final long STEPS = 200;
  private static final long INTERVAL = 20;
  private static final double TARGET = 0.05;
  private static final int BATCH = 128;
  private static final int VALIDATION = 1000;

  private record Setup(ReferenceSchedule reference, TrainingFlops flops, long[] sizes) {}

  private static Setup setup(Path out) {
    TrainerSettings s =
        ActorTests.settings(
            out, Map.of("episode-steps", STEPS, "density", TARGET, "model", "lenet5-caffe"));
    List<PrunableTensor> tensors = ControlledEpisode.layers(s);
    long[] sizes = tensors.stream().mapToLong(PrunableTensor::size).toArray();
    return new Setup(
        new ReferenceSchedule(s.engine(1), tensors, STEPS), new TrainingFlops(tensors), sizes);
  }

  private static BudgetWall wall(Setup s, boolean budgeted) {
    return new BudgetWall(
        s.reference(), s.flops(), s.sizes(), TARGET, 0.01, BATCH, VALIDATION, budgeted);
  }

  @Test
  void theReferenceStartsDenseAndEndsAtTheTargetWithErkLayers(@TempDir Path out) {
    Setup s = setup(out);
    double[] start = s.reference().densities(0);
    double[] end = s.reference().densities(STEPS);
    assertArrayEquals(new double[] {1, 1, 1, 1}, start, 0);
    BudgetWall w = wall(s, true);
    assertEquals(TARGET, w.global(end), 1e-3);
    // ERK keeps the small first convolution and last layer denser than the big ones
    assertTrue(end[0] > end[2] && end[3] > end[2], Arrays.toString(end));
    // holds from 75% of the episode
    assertArrayEquals(end, s.reference().densities(150), 0);
    assertTrue(s.reference().cumulativeFlops(STEPS) > s.reference().cumulativeFlops(100));
  }

  @Test
  void theZeroOffsetFollowsTheReferenceLessOnlyTheValidationPasses(@TempDir Path out) {
    Setup s = setup(out);
    BudgetWall w = wall(s, true);
    double[] zero = new double[4];
    double[] d =
        w.decide(zero, 40, 60, s.reference().cumulativeFlops(40), s.reference().densities(40));
    double[] ref = s.reference().densities(40);
    for (int i = 0; i < d.length; i++) {
      assertTrue(d[i] <= ref[i] + 1e-12, "layer " + i + " above the reference");
      // the validation pass (1000 images against 20 steps of 128, forward and backward) is 13% of
      // the interval: the layers give up about that much density, no more
      double validationShare = VALIDATION / (double) (INTERVAL * BATCH * 3);
      assertTrue(d[i] >= ref[i] * (1 - 2 * validationShare), "layer " + i + ": " + d[i]);
    }
    double spent = s.reference().cumulativeFlops(40);
    assertTrue(w.fits(w.offsets(), 40, 60, spent, ref));
    // without the budget the zero offset is the reference exactly
    assertArrayEquals(ref, wall(s, false).decide(zero, 40, 60, spent, ref), 1e-12);
  }

  @Test
  void aDenserRequestIsShiftedDownUntilTheIntervalFitsTheReferenceFlops(@TempDir Path out) {
    Setup s = setup(out);
    BudgetWall w = wall(s, true);
    double[] ref = s.reference().densities(40);
    double spent = s.reference().cumulativeFlops(40);
    double[] twice = {Math.log(2), Math.log(2), Math.log(2), Math.log(2)};
    w.decide(twice, 40, 60, spent, ref);
    double[] applied = w.offsets();
    assertTrue(w.fits(applied, 40, 60, spent, ref));
    assertTrue(applied[0] < Math.log(2), "the request was not lowered");
    // one common shift keeps the relative allocation
    for (int i = 1; i < applied.length; i++) {
      assertEquals(applied[0], applied[i], 1e-9);
    }
    double cost = w.projectedCost(applied, 40, 60, ref);
    assertTrue(
        spent + cost <= s.reference().cumulativeFlops(60) * (1 + 1e-9),
        "over budget: " + (spent + cost) + " > " + s.reference().cumulativeFlops(60));
  }

  @Test
  void theFinalAllocationIsHeldToTheReferenceInferenceFlopsAndTheTarget(@TempDir Path out) {
    Setup s = setup(out);
    BudgetWall w = wall(s, false);
    // convolutions denser, dense layers sparser: more inference FLOPs at the same density
    double[] convHeavy = {Math.log(2), Math.log(2), Math.log(0.5), Math.log(0.5)};
    double[] ref140 = s.reference().densities(140);
    w.decide(convHeavy, 140, 160, 0, ref140);
    double[] end = w.densitiesAt(STEPS, s.reference().densities(STEPS));
    assertEquals(TARGET, w.global(end), 1e-4);
    double inference = s.flops().sparseForwardPerSample(end);
    assertTrue(
        inference <= s.reference().finalInferenceFlops() * (1 + 1e-6),
        inference + " > " + s.reference().finalInferenceFlops());
    // from the end step on the offsets are held, whatever is asked
    double[] held = w.offsets();
    w.decide(new double[] {-2, -2, -2, -2}, 160, 180, 0, end);
    assertArrayEquals(held, w.offsets(), 0);
  }
}
