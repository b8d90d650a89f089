package io.jitsparse.env.train;

/** The training loss became NaN or infinite: the run stops and keeps its last good checkpoint. */
public final class NonFiniteLossException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Step at which it happened. */
  private final long step;

  /**
   * @param step the step whose loss was not finite
   * @param loss the loss value
   */
  public NonFiniteLossException(long step, double loss) {
    super(
        Double.isNaN(loss)
            ? "training diverged: loss or weights became NaN at step " + step
            : "training loss became " + loss + " at step " + step);
    this.step = step;
  }

  /** The step at which the loss stopped being finite. */
  public long step() {
    return step;
  }
}
