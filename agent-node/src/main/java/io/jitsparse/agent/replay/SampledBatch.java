package io.jitsparse.agent.replay;

/**
 * A prioritised sample of transitions laid out as Q-network rows: transition {@code i} has {@code
 * layers[i]} rows (one per layer of its network), and row {@code r} belongs to transition {@code
 * owner[r]}. Rows hold the global features followed by the row's layer features ({@link
 * io.jitsparse.agent.policy.FeatureEncoder#row}).
 *
 * @param slots replay slots of the transitions (for the priority update)
 * @param ids ids of the transitions in those slots (an update of an evicted one is ignored)
 * @param weights importance-sampling weights, normalised to at most 1
 * @param layers rows per transition
 * @param rows total rows
 * @param states {@code rows * ROW} features of the states
 * @param nextStates {@code rows * ROW} features of the n-step next states
 * @param moves the move taken per row
 * @param owner the transition of each row
 * @param rewards n-step discounted reward per transition
 * @param discounts bootstrap discount per transition (gamma^n, 0 when the episode ended)
 */
public record SampledBatch(
    int[] slots,
    long[] ids,
    double[] weights,
    int[] layers,
    int rows,
    float[] states,
    float[] nextStates,
    int[] moves,
    int[] owner,
    float[] rewards,
    float[] discounts) {

  /** Transitions in the batch. */
  public int size() {
    return slots.length;
  }
}
