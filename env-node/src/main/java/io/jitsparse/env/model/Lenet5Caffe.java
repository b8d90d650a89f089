package io.jitsparse.env.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * LeNet-5 as in Caffe's MNIST example, the model "Fantastic Weights" (Nowak et al. 2023) trains on
 * Fashion-MNIST: conv 5x5x20, max-pool 2, conv 5x5x50, max-pool 2, dense 500, dense 10, with ReLU
 * after each conv and the hidden dense layer as in the sparselearning code base.
 */
public final class Lenet5Caffe implements ModelArchitecture {

  /** Registry name. */
  public static final String NAME = "lenet5-caffe";

  private static final int KERNEL = 5;
  private static final int CONV1_CHANNELS = 20;
  private static final int CONV2_CHANNELS = 50;
  private static final int HIDDEN = 500;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SDVariable build(NetworkBuilder b) {
    NetworkBuilder.Feature x = b.inputFeature();
    x = b.maxPool2(b.relu(b.conv("conv1", x, KERNEL, CONV1_CHANNELS, 1, 0)));
    x = b.maxPool2(b.relu(b.conv("conv2", x, KERNEL, CONV2_CHANNELS, 1, 0)));
    NetworkBuilder.Flat h = b.relu(b.dense("fc3", b.flatten(x), HIDDEN));
    return b.dense("fc4", h, NetworkBuilder.CLASSES).variable();
  }
}
