package io.jitsparse.agent.replay;

/**
 * Keeps the learner and the explorers in step: the learner may sample only while the samples it has
 * drawn stay within {@code samplesPerInsert} per transition inserted beyond a minimum replay size,
 * give or take {@code tolerance} samples (the rate limiter of Reverb, Cassirer et al. 2021, as used
 * by Acme's DQN). Inserts are never limited: explorers must not wait on the learner, so when they
 * outpace it the replay simply evicts more (FIFO).
 */
public final class SamplesPerInsertLimit {

  private final double samplesPerInsert;
  private final long minSize;
  private final double tolerance;
  private long inserted;
  private long sampled;

  /**
   * @param samplesPerInsert target ratio of samples drawn to transitions inserted, positive
   * @param minSize transitions inserted before the first sample
   * @param tolerance samples the learner may run ahead of the ratio (at least one batch)
   */
  public SamplesPerInsertLimit(double samplesPerInsert, long minSize, double tolerance) {
    if (!(samplesPerInsert > 0) || Double.isInfinite(samplesPerInsert)) {
      throw new IllegalArgumentException(
          "samples-per-insert must be positive: " + samplesPerInsert);
    }
    if (minSize < 0 || !(tolerance >= 0)) {
      throw new IllegalArgumentException(
          "min size " + minSize + " and tolerance " + tolerance + " must be >= 0");
    }
    this.samplesPerInsert = samplesPerInsert;
    this.minSize = minSize;
    this.tolerance = tolerance;
  }

  /**
   * Continues from the counters a replay journal recorded (a restored replay keeps its ratio).
   *
   * @throws IllegalArgumentException when a counter is negative
   */
  public void resume(long insertedBefore, long sampledBefore) {
    if (insertedBefore < 0 || sampledBefore < 0) {
      throw new IllegalArgumentException(
          "counters " + insertedBefore + " and " + sampledBefore + " must be >= 0");
    }
    inserted = insertedBefore;
    sampled = sampledBefore;
  }

  /** Records {@code n} inserted transitions. */
  public void inserted(long n) {
    inserted += n;
  }

  /** Whether a batch of {@code batch} samples may be drawn now. */
  public boolean canSample(int batch) {
    if (inserted < minSize) {
      return false;
    }
    return sampled + batch <= samplesPerInsert * (inserted - minSize) + tolerance;
  }

  /** Records a drawn batch of {@code batch} samples. */
  public void sampled(int batch) {
    sampled += batch;
  }

  /** Samples drawn so far. */
  public long samples() {
    return sampled;
  }

  /** Transitions inserted so far. */
  public long inserts() {
    return inserted;
  }
}
