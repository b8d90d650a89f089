package io.jitsparse.monitoring.live;

/**
 * One training step of a trainer as the page shows it. Densities are kept as floats: the page needs
 * no more, and a long history costs half the memory.
 */
public final class StepPoint {

  private final long episode;
  private final long step;
  private final long globalStep;
  private final float[] densities;
  private final float loss;
  private final float accuracy;

  StepPoint(
      long episode, long step, long globalStep, double[] densities, double loss, double accuracy) {
    this.episode = episode;
    this.step = step;
    this.globalStep = globalStep;
    this.densities = new float[densities.length];
    for (int i = 0; i < densities.length; i++) {
      this.densities[i] = (float) densities[i];
    }
    this.loss = (float) loss;
    this.accuracy = (float) accuracy;
  }

  /** The episode the step belongs to. */
  public long episode() {
    return episode;
  }

  /** The step within its episode (from 1). */
  public long step() {
    return step;
  }

  /** Steps of this trainer since the board first saw it, across episodes: the time axis. */
  public long globalStep() {
    return globalStep;
  }

  /** Number of layers. */
  public int layers() {
    return densities.length;
  }

  /** Density of {@code layer} after the step. */
  public double density(int layer) {
    return densities[layer];
  }

  /** Training loss of the step. */
  public double loss() {
    return loss;
  }

  /** Accuracy on the step's training batch. */
  public double accuracy() {
    return accuracy;
  }
}
