package io.jitsparse.env.method;

import io.jitsparse.env.sparse.MaskChange;
import io.jitsparse.env.sparse.SparseNetwork;
import io.jitsparse.env.sparse.StepResult;
import java.util.List;

/** No sparsity: the dense reference every sparse method is compared with. */
public final class DenseMethod implements SparsityMethod {

  @Override
  public String name() {
    return "dense";
  }

  @Override
  public void initialize(SparseNetwork net) {}

  @Override
  public boolean updatesMasksAt(long step) {
    return false;
  }

  @Override
  public List<MaskChange> afterStep(SparseNetwork net, long step, StepResult result) {
    return List.of();
  }
}
