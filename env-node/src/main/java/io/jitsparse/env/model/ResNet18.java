package io.jitsparse.env.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * ResNet-18 (He et al. 2016) adapted to 28x28x1 inputs as CIFAR ResNets are: a 3x3 stem without
 * max-pool, four stages of two basic blocks at strides 1, 2, 2, 2 (28, 14, 7, 4 pixels), global
 * average pooling and a dense classifier. Channel counts are 64, 128, 256, 512 times a width
 * multiplier so that small widths train on two cores.
 */
public final class ResNet18 implements ModelArchitecture {

  /** Registry name. */
  public static final String NAME = "resnet18";

  private static final int[] STAGE_CHANNELS = {64, 128, 256, 512};
  private static final int[] STAGE_STRIDES = {1, 2, 2, 2};
  private static final int BLOCKS_PER_STAGE = 2;
  private static final int KERNEL = 3;
  private static final int PAD = 1;

  private final double width;

  /**
   * @param width channel multiplier in (0, 1]; 1.0 is the standard ResNet-18
   */
  public ResNet18(double width) {
    if (!(width > 0 && width <= 1)) {
      throw new IllegalArgumentException("resnet18 width must be in (0, 1], got " + width);
    }
    this.width = width;
  }

  @Override
  public String name() {
    return NAME;
  }

  private int channels(int stage) {
    return Math.max(1, (int) Math.round(STAGE_CHANNELS[stage] * width));
  }

  @Override
  public SDVariable build(NetworkBuilder b) {
    NetworkBuilder.Feature x =
        b.relu(
            b.batchNorm(
                "stem/bn", b.convNoBias("stem", b.inputFeature(), KERNEL, channels(0), 1, PAD)));
    for (int stage = 0; stage < STAGE_CHANNELS.length; stage++) {
      for (int block = 0; block < BLOCKS_PER_STAGE; block++) {
        int stride = block == 0 ? STAGE_STRIDES[stage] : 1;
        x = basicBlock(b, "layer" + (stage + 1) + "." + block, x, channels(stage), stride);
      }
    }
    return b.dense("fc", b.globalAveragePool(x), NetworkBuilder.CLASSES).variable();
  }

  private static NetworkBuilder.Feature basicBlock(
      NetworkBuilder b, String name, NetworkBuilder.Feature in, int outC, int stride) {
    NetworkBuilder.Feature y =
        b.relu(
            b.batchNorm(
                name + "/bn1", b.convNoBias(name + "/conv1", in, KERNEL, outC, stride, PAD)));
    y = b.batchNorm(name + "/bn2", b.convNoBias(name + "/conv2", y, KERNEL, outC, 1, PAD));
    NetworkBuilder.Feature shortcut = in;
    if (stride != 1 || in.channels() != outC) {
      shortcut =
          b.batchNorm(name + "/down/bn", b.convNoBias(name + "/down", in, 1, outC, stride, 0));
    }
    return b.relu(b.add(y, shortcut));
  }
}
