package io.jitsparse.env.train;

import io.jitsparse.env.data.Batch;
import io.jitsparse.env.data.Batches;
import io.jitsparse.env.sparse.SparseNetwork;

/** Evaluates a network over every batch of a split (evaluation mode, no FLOPs counted). */
public final class Evaluator {

  private Evaluator() {}

  /** Loss and accuracy over all of {@code batches}. */
  public static SparseNetwork.Evaluation evaluate(SparseNetwork net, Batches batches) {
    SparseNetwork.Evaluation total = new SparseNetwork.Evaluation(0, 0, 0);
    while (batches.hasNext()) {
      try (Batch b = batches.next()) {
        total = total.plus(net.evaluate(b.features(), b.labels(), b.classes()));
      }
    }
    return total;
  }
}
