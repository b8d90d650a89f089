package io.jitsparse.env.trainer;

import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.SparsityAction;
import java.util.Optional;

/**
 * Whatever chooses the per-layer densities of a {@link ControlledEpisode}: the agent's greedy
 * policy, a recorded schedule, a test's script. It plays the part the agent plays for a {@link
 * Trainer} actor, without the wire: it sees each decision's {@link Observation} and answers with
 * the per-layer log-offsets from the reference schedule to request at the next decision boundary,
 * where the episode's {@link BudgetWall} fits them to the compute budget and holds them from the
 * reference's end, where the network is at the target.
 */
@FunctionalInterface
public interface DensityController {

  /**
   * The answer to the observation of a decision.
   *
   * @param o the observation of decision {@code k} (never the final, done one)
   * @return the densities to request at decision {@code k + 1}; empty keeps the current ones
   */
  Optional<SparsityAction> decide(Observation o);
}
