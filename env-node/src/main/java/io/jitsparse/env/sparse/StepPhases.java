package io.jitsparse.env.sparse;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall time a training loop spent in each phase of its steps, summed over the steps it was attached
 * for ({@link SparseNetwork#recordPhases}, {@code SparseTrainer.recordPhases}): where a step's time
 * goes, for {@code bench/run engine}. Detached (the default) nothing is timed.
 *
 * <p>Not thread-safe: the thread that steps the network records.
 */
public final class StepPhases {

  /** The phases of a step. */
  public enum Phase {
    /** Forward and backward pass: the graph's session, or the direct pass's native ops. */
    FORWARD_BACKWARD,
    /** Reading the loss and logits back to the host (loss, its gradient and the accuracy). */
    HOST_COPIES,
    /** Dense-gradient copies kept for growth, gradient momentum, masking and gradient norms. */
    GRADIENT_MASKS,
    /** Weight decay, the updater and the parameter update. */
    OPTIMISER,
    /** The method's mask update after the step (prune and grow). */
    MASK_UPDATE,
    /** Per-layer statistics the step reports (weight magnitudes, densities, FLOPs). */
    STATISTICS,
    /** The periodic collection that frees ND4J's native buffers ({@code gc-window-ms}). */
    GC
  }

  private static final double NANOS_PER_MS = 1e6;

  private final long[] nanos = new long[Phase.values().length];
  private long steps;

  /** Adds {@code elapsed} nanoseconds to {@code phase}. */
  public void add(Phase phase, long elapsed) {
    nanos[phase.ordinal()] += elapsed;
  }

  /**
   * Adds the time since {@code since} (a {@link System#nanoTime()}) to {@code phase} and returns
   * now, so that consecutive phases chain: {@code t = phases.lap(Phase.A, t)}.
   */
  public long lap(Phase phase, long since) {
    long now = System.nanoTime();
    nanos[phase.ordinal()] += now - since;
    return now;
  }

  /** Counts one step. */
  public void step() {
    steps++;
  }

  /** Steps counted. */
  public long steps() {
    return steps;
  }

  /** Milliseconds per step of each phase (NaN before the first step). */
  public Map<Phase, Double> msPerStep() {
    Map<Phase, Double> out = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      out.put(p, steps == 0 ? Double.NaN : nanos[p.ordinal()] / NANOS_PER_MS / steps);
    }
    return out;
  }

  /** Forgets everything recorded. */
  public void reset() {
    java.util.Arrays.fill(nanos, 0);
    steps = 0;
  }
}
