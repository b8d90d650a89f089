package io.jitsparse.agent.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.protocol.PolicyChunks;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import io.jitsparse.protocol.v1.SubscribePolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PolicyPublisherTest {

  private static final ActorTestKit KIT =
      ActorTestKit.create("PolicyPublisherTest", ConfigFactory.load());

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void oneMebibyteSnapshotArrivesChunkedAndReassembles() {
    int chunk = 128 * 1024;
    ActorRef<PolicyPublisher.Command> publisher =
        KIT.spawn(
            PolicyPublisher.create(
                PolicyPublisher.handcrafted("cubic"), chunk, Duration.ofMinutes(1)));
    TestProbe<Message> subscriber = KIT.createTestProbe(Message.class);
    String ref = ActorRefResolver.get(KIT.system()).toSerializationFormat(subscriber.ref());
    PolicyChunks.Assembler assembler = new PolicyChunks.Assembler(64L << 20);

    publisher.tell(
        new PolicyPublisher.Subscribe(
            SubscribePolicy.newBuilder().setSubscriberRef(ref).setHaveVersion(-1).build()));
    PolicySnapshotChunk v0 = subscriber.expectMessageClass(PolicySnapshotChunk.class);
    PolicySnapshot handcrafted = assembler.add(v0).orElseThrow();
    assertEquals(0, handcrafted.getVersion());
    assertEquals("handcrafted:cubic", handcrafted.getFormat());

    // Holding the current version: nothing to send.
    publisher.tell(
        new PolicyPublisher.Subscribe(
            SubscribePolicy.newBuilder().setSubscriberRef(ref).setHaveVersion(0).build()));
    subscriber.expectNoMessage(Duration.ofMillis(200));

    byte[] params = new byte[1 << 20];
    new Random(7).nextBytes(params);
    PolicySnapshot v1 =
        PolicySnapshot.newBuilder()
            .setVersion(1)
            .setFormat("test-net")
            .setParameters(ByteString.copyFrom(params))
            .setLearnerUpdates(42)
            .build();
    publisher.tell(new PolicyPublisher.Publish(v1));
    int expected = (v1.getSerializedSize() + chunk - 1) / chunk;
    assertTrue(expected > 8);
    Optional<PolicySnapshot> done = Optional.empty();
    for (int i = 0; i < expected; i++) {
      PolicySnapshotChunk c = subscriber.expectMessageClass(PolicySnapshotChunk.class);
      assertTrue(c.getData().size() <= chunk);
      done = assembler.add(c);
      assertEquals(i == expected - 1, done.isPresent());
    }
    assertEquals(v1, done.orElseThrow());
    subscriber.expectNoMessage(Duration.ofMillis(100));
  }
}
