package io.jitsparse.env.model;

import org.nd4j.autodiff.samediff.SDVariable;

/** LeNet-300-100 (LeCun et al. 1998): dense 784-300-100-10 with ReLU. */
public final class Lenet300100 implements ModelArchitecture {

  /** Registry name. */
  public static final String NAME = "lenet-300-100";

  private static final int HIDDEN_1 = 300;
  private static final int HIDDEN_2 = 100;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SDVariable build(NetworkBuilder b) {
    NetworkBuilder.Flat x = b.flatten(b.inputFeature());
    x = b.relu(b.dense("fc1", x, HIDDEN_1));
    x = b.relu(b.dense("fc2", x, HIDDEN_2));
    return b.dense("fc3", x, NetworkBuilder.CLASSES).variable();
  }
}
