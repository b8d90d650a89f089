package io.jitsparse.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two actor systems talking over real Artery TCP on 127.0.0.1: a 1 MiB policy snapshot sent whole
 * is refused by the frame limit without harming either system; sent as chunks it arrives and
 * reassembles bit for bit.
 */
class PolicyChunksOverArteryTest {

  private static final int CHUNK = 128 * 1024;
  private static ActorTestKit sender;
  private static ActorTestKit receiver;

  @BeforeAll
  static void start() {
    var remote =
        ConfigFactory.parseString("pekko.actor.provider = remote")
            .withFallback(ConfigFactory.load());
    sender = ActorTestKit.create("sender", remote);
    receiver = ActorTestKit.create("receiver", remote);
  }

  @AfterAll
  static void stop() {
    sender.shutdownTestKit();
    receiver.shutdownTestKit();
  }

  static PolicySnapshot snapshot(long version, int bytes) {
    byte[] params = new byte[bytes];
    new Random(version).nextBytes(params);
    return PolicySnapshot.newBuilder()
        .setVersion(version)
        .setFormat("test")
        .setParameters(ByteString.copyFrom(params))
        .build();
  }

  @Test
  void oversizedIsRefusedAndChunksArrive() {
    TestProbe<Message> probe = receiver.createTestProbe(Message.class);
    ActorRef<Message> inbox = receiver.spawn(WireForwarder.create(probe.getRef()), "inbox");
    // the sender reaches the receiver only through the serialized address, as a remote node would
    String address =
        ActorRefResolver.get(receiver.system())
            .toSerializationFormat(inbox)
            .replace("pekko://receiver/", "pekko://receiver@" + hostPort(receiver) + "/");
    ActorRef<Message> remote = ActorRefResolver.get(sender.system()).resolveActorRef(address);

    PolicySnapshot big = snapshot(3, 1 << 20);
    remote.tell(big);
    remote.tell(Observation.newBuilder().setTrainerId("after-oversized").build());
    Message first = probe.expectMessageClass(Message.class, Duration.ofSeconds(20));
    assertEquals(
        "after-oversized",
        ((Observation) first).getTrainerId(),
        "the oversized snapshot must not be delivered; the next message still is");

    List<PolicySnapshotChunk> chunks = PolicyChunks.split(big, CHUNK);
    assertEquals(9, chunks.size(), "1 MiB + header in 128 KiB chunks");
    List<PolicySnapshotChunk> shuffled = new ArrayList<>(chunks);
    Collections.shuffle(shuffled, new Random(1));
    shuffled.forEach(remote::tell);
    PolicyChunks.Assembler assembler = new PolicyChunks.Assembler(64L << 20);
    Optional<PolicySnapshot> done = Optional.empty();
    for (int i = 0; i < chunks.size(); i++) {
      done = assembler.add((PolicySnapshotChunk) probe.receiveMessage(Duration.ofSeconds(20)));
      assertEquals(i == chunks.size() - 1, done.isPresent());
    }
    assertEquals(big, done.get());
  }

  private static String hostPort(ActorTestKit kit) {
    var address =
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(kit.system())
            .provider()
            .getDefaultAddress();
    return address.getHost().get() + ":" + address.getPort().get();
  }

  @Test
  void assemblerIgnoresOldVersionsAndRejectsCorruption() {
    PolicyChunks.Assembler assembler = new PolicyChunks.Assembler(1 << 20);
    List<PolicySnapshotChunk> v2 = PolicyChunks.split(snapshot(2, 1000), 300);
    List<PolicySnapshotChunk> v1 = PolicyChunks.split(snapshot(1, 1000), 300);
    assertTrue(assembler.add(v2.get(0)).isEmpty());
    assertTrue(assembler.add(v1.get(0)).isEmpty(), "older version ignored");
    for (int i = 1; i < v2.size() - 1; i++) {
      assertTrue(assembler.add(v2.get(i)).isEmpty());
    }
    assertEquals(2, assembler.add(v2.get(v2.size() - 1)).get().getVersion());

    List<PolicySnapshotChunk> v3 = PolicyChunks.split(snapshot(3, 1000), 300);
    PolicyChunks.Assembler a = new PolicyChunks.Assembler(1 << 20);
    for (int i = 0; i < v3.size() - 1; i++) {
      a.add(v3.get(i));
    }
    PolicySnapshotChunk last = v3.get(v3.size() - 1);
    PolicySnapshotChunk corrupt =
        last.toBuilder().setData(ByteString.copyFrom(new byte[last.getData().size()])).build();
    assertThrows(IllegalArgumentException.class, () -> a.add(corrupt));

    PolicySnapshotChunk hostile = v3.get(0).toBuilder().setTotalBytes(1L << 40).build();
    var e = assertThrows(IllegalArgumentException.class, () -> a.add(hostile));
    assertTrue(e.getMessage().contains("total_bytes"), e.getMessage());
    var bad = v3.get(0).toBuilder().setIndex(7).setCount(3).build();
    assertThrows(IllegalArgumentException.class, () -> a.add(bad));
  }
}
