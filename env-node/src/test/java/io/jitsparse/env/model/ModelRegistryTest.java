package io.jitsparse.env.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jitsparse.env.sparse.OptimizerSettings;
import io.jitsparse.env.sparse.SparseNetwork;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelRegistryTest {

  private static final OptimizerSettings SGD =
      new OptimizerSettings("sgd", 0.9, true, 5e-4, 0.9, 0.999, 1e-8);

  @Test
  void lenet5CaffeHasTheFourPrunableTensorsWithTheirFacts() {
    SparseNetwork net = new SparseNetwork(new Lenet5Caffe(), 1, WeightTransform.IDENTITY, SGD);
    List<PrunableTensor> t = net.tensors();
    assertEquals(
        List.of("conv1/W", "conv2/W", "fc3/W", "fc4/W"),
        t.stream().map(PrunableTensor::name).toList());
    assertArrayEquals(new long[] {5, 5, 1, 20}, t.get(0).shape());
    assertEquals(25, t.get(0).fanIn());
    assertEquals(20, t.get(0).fanOut());
    assertEquals(24 * 24, t.get(0).outputPositions());
    assertArrayEquals(new long[] {5, 5, 20, 50}, t.get(1).shape());
    assertEquals(500, t.get(1).fanIn());
    assertEquals(8 * 8, t.get(1).outputPositions());
    assertArrayEquals(new long[] {800, 500}, t.get(2).shape());
    assertArrayEquals(new long[] {500, 10}, t.get(3).shape());
    for (int i = 0; i < t.size(); i++) {
      assertEquals(i, t.get(i).index());
    }
    // 2 * (500*576 + 25000*64 + 400000 + 5000) FLOPs per sample forward
    long fd = t.stream().mapToLong(PrunableTensor::denseForwardFlops).sum();
    assertEquals(2L * (500 * 576 + 25000 * 64 + 400000 + 5000), fd);
  }

  @Test
  void everyModelBuildsAndProducesTenLogits() {
    for (String name : ModelRegistry.names()) {
      SparseNetwork net =
          new SparseNetwork(ModelRegistry.byName(name, 0.125), 1, WeightTransform.IDENTITY, SGD);
      INDArray x = Nd4j.rand(DataType.FLOAT, 4, 28, 28, 1);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
      SparseNetwork.Evaluation e = net.evaluate(x, y, new int[] {0, 1, 2, 3});
      assertEquals(4, e.samples(), name);
      assertTrue(net.tensors().size() >= 3, name);
    }
  }

  @Test
  void resnet18HasTwentyOnePrunableConvAndDenseTensors() {
    SparseNetwork net = new SparseNetwork(new ResNet18(0.125), 1, WeightTransform.IDENTITY, SGD);
    // stem + 16 block convs + 3 downsampling shortcuts + fc
    assertEquals(21, net.tensors().size());
    assertEquals(PrunableTensor.Kind.DENSE, net.tensors().get(20).kind());
    assertEquals(4 * 4, net.tensors().get(19).outputPositions());
  }

  @Test
  void unknownModelIsNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelRegistry.byName("vgg", 1));
    assertTrue(e.getMessage().contains("vgg") && e.getMessage().contains("lenet5-caffe"));
  }
}
