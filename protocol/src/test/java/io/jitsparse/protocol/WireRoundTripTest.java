package io.jitsparse.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.jitsparse.protocol.v1.Jitsparse;
import io.jitsparse.protocol.v1.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.serialization.ProtobufSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message of {@code jitsparse.proto} goes through the serializer Pekko picks for it (the
 * protobuf one, never Java serialization) and comes back equal; garbage bytes give an error.
 */
class WireRoundTripTest {

  private static ActorTestKit kit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
    serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** One instance of every message type, each field set to a non-default value. */
  static List<Message> everyMessage() throws Exception {
    List<Message> out = new ArrayList<>();
    Random random = new Random(7);
    for (Descriptor d : Jitsparse.getDescriptor().getMessageTypes()) {
      Class<?> type = Class.forName("io.jitsparse.protocol.v1." + d.getName());
      Message.Builder b = (Message.Builder) type.getMethod("newBuilder").invoke(null);
      out.add(fill(b, random, 0).build());
    }
    return out;
  }

  private static Message.Builder fill(Message.Builder b, Random random, int depth) {
    for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
      int n = f.isRepeated() ? 3 : 1;
      for (int i = 0; i < n; i++) {
        Object v = value(b, f, random, depth);
        if (v == null) {
          continue;
        }
        if (f.isRepeated()) {
          b.addRepeatedField(f, v);
        } else {
          b.setField(f, v);
        }
      }
    }
    return b;
  }

  private static Object value(Message.Builder b, FieldDescriptor f, Random random, int depth) {
    return switch (f.getJavaType()) {
      case INT -> 1 + random.nextInt(1000);
      case LONG -> 1L + random.nextInt(1_000_000);
      case DOUBLE -> random.nextDouble();
      case FLOAT -> random.nextFloat();
      case BOOLEAN -> true;
      case STRING -> "s" + random.nextInt(1000);
      case BYTE_STRING -> ByteString.copyFrom(new byte[] {1, 2, (byte) random.nextInt(256)});
      case ENUM -> f.getEnumType().getValues().get(f.getEnumType().getValues().size() - 1);
      case MESSAGE -> depth > 2 ? null : fill(b.newBuilderForField(f), random, depth + 1).build();
    };
  }

  @Test
  void everyMessageRoundTripsThroughPekkosProtobufSerializer() throws Exception {
    List<Message> messages = everyMessage();
    assertEquals(Jitsparse.getDescriptor().getMessageTypes().size(), messages.size());
    assertTrue(messages.size() >= 25, "all protocol messages are covered: " + messages.size());
    for (Message m : messages) {
      Serializer s = serialization.findSerializerFor(m);
      assertTrue(s instanceof ProtobufSerializer, m.getClass() + " uses " + s.getClass().getName());
      byte[] bytes = serialization.serialize(m).get();
      Object back = serialization.deserialize(bytes, s.identifier(), m.getClass().getName()).get();
      assertEquals(m, back, m.getDescriptorForType().getName());
      assertFalse(m.getAllFields().isEmpty(), "the fixture sets fields");
    }
  }

  @Test
  void malformedBytesAreAnErrorNotACrash() {
    Observation o = Observation.newBuilder().setTrainerId("node-0").setStep(3).build();
    Serializer s = serialization.findSerializerFor(o);
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x7f};
    var result = serialization.deserialize(garbage, s.identifier(), Observation.class.getName());
    assertTrue(result.isFailure(), "garbage must not parse");
    byte[] truncated = o.toByteArray();
    byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 1);
    assertTrue(
        serialization.deserialize(cut, s.identifier(), Observation.class.getName()).isFailure());
    // the system is unaffected
    assertEquals(
        o,
        serialization
            .deserialize(o.toByteArray(), s.identifier(), Observation.class.getName())
            .get());
  }

  @Test
  void javaSerializationIsOff() {
    assertThrows(
        Exception.class,
        () -> serialization.serialize(new java.util.ArrayList<>(List.of(1))).get());
  }
}
