package io.jitsparse.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jitsparse.protocol.PolicyChunks;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile policy chunks into {@link PolicyChunks.Assembler}: random chunks, and the chunks of a
 * real snapshot shuffled, duplicated, dropped and corrupted. The assembler may only return a
 * snapshot whose bytes are exactly the original's, nothing yet, or an {@link
 * IllegalArgumentException} (the explorer counts it as a rejected chunk); never another exception,
 * and never an allocation a chunk's header alone can make huge.
 */
class PolicyChunksFuzzTest {

  private static final long MAX_BYTES = 1 << 16;
  private static final int MAX_CHUNK = 64;
  private static final int MAX_PAYLOAD = 4096;
  private static final int MAX_CHUNKS_SENT = 32;
  private static final int MUTATION_KINDS = 6;
  private static final long VERSION = 7;

  @Property
  void randomChunksNeverCrashTheAssembler(@ForAll("chunkLists") List<PolicySnapshotChunk> chunks) {
    PolicyChunks.Assembler a = new PolicyChunks.Assembler(MAX_BYTES);
    for (PolicySnapshotChunk c : chunks) {
      try {
        a.add(c);
      } catch (IllegalArgumentException rejected) {
        assertTrue(rejected.getMessage().startsWith("policy"), rejected.getMessage());
      }
    }
  }

  @Property
  void mutatedChunksOfARealSnapshotGiveItBackOrAreRejected(
      @ForAll @Size(max = MAX_PAYLOAD) byte[] payload,
      @ForAll @IntRange(min = 1, max = MAX_CHUNK) int chunkSize,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 3) int mutations) {
    PolicySnapshot snapshot =
        PolicySnapshot.newBuilder()
            .setVersion(VERSION)
            .setParameters(ByteString.copyFrom(payload))
            .build();
    List<PolicySnapshotChunk> chunks = new ArrayList<>(PolicyChunks.split(snapshot, chunkSize));
    Random random = new Random(seed);
    for (int i = 0; i < mutations; i++) {
      mutate(chunks, random);
    }
    PolicyChunks.Assembler a = new PolicyChunks.Assembler(MAX_BYTES);
    for (PolicySnapshotChunk c : chunks) {
      try {
        Optional<PolicySnapshot> done = a.add(c);
        // The CRC and total_bytes let nothing but the original through, whatever was mutated.
        done.ifPresent(got -> assertEquals(snapshot, got));
      } catch (IllegalArgumentException rejected) {
        assertTrue(mutations > 0, rejected::getMessage);
      }
    }
  }

  /**
   * Regression (found by {@link #randomChunksNeverCrashTheAssembler}): a chunk claiming {@code
   * count = Integer.MAX_VALUE} made the assembler allocate an array of that many parts
   * (OutOfMemoryError in the explorer) before any byte arrived.
   */
  @Example
  void aHugeChunkCountIsRejectedBeforeAllocating() {
    PolicyChunks.Assembler a = new PolicyChunks.Assembler(MAX_BYTES);
    PolicySnapshotChunk hostile =
        PolicySnapshotChunk.newBuilder()
            .setVersion(1)
            .setIndex(0)
            .setCount(Integer.MAX_VALUE)
            .setTotalBytes(MAX_BYTES)
            .setData(ByteString.copyFromUtf8("x"))
            .build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(hostile));
    assertTrue(e.getMessage().contains("count"), e.getMessage());
  }

  /**
   * Regression: chunks of one version whose data together exceed their own {@code total_bytes} were
   * all held until the last arrived; the assembler now refuses the chunk that overflows.
   */
  @Example
  void chunksHoldingMoreThanTheirTotalAreRejectedAsTheyArrive() {
    PolicyChunks.Assembler a = new PolicyChunks.Assembler(MAX_BYTES);
    PolicySnapshotChunk.Builder c =
        PolicySnapshotChunk.newBuilder()
            .setVersion(1)
            .setCount(2)
            .setTotalBytes(2)
            .setData(ByteString.copyFrom(new byte[2]));
    a.add(c.setIndex(0).build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.add(c.setIndex(1).build()));
    assertTrue(e.getMessage().contains("total_bytes"), e.getMessage());
  }

  private static void mutate(List<PolicySnapshotChunk> chunks, Random random) {
    int i = random.nextInt(chunks.size());
    PolicySnapshotChunk c = chunks.get(i);
    switch (random.nextInt(MUTATION_KINDS)) {
      case 0 -> Collections.shuffle(chunks, random);
      case 1 -> chunks.add(random.nextInt(chunks.size() + 1), c);
      case 2 -> chunks.remove(i);
      case 3 -> {
        byte[] data = c.getData().toByteArray();
        if (data.length > 0) {
          data[random.nextInt(data.length)] ^= (byte) (1 + random.nextInt(Byte.MAX_VALUE));
        }
        chunks.set(i, c.toBuilder().setData(ByteString.copyFrom(data)).build());
      }
      case 4 -> chunks.set(i, c.toBuilder().setTotalBytes(c.getTotalBytes() + 1).build());
      default -> chunks.set(i, c.toBuilder().setCount(c.getCount() + 1).build());
    }
    if (chunks.isEmpty()) {
      chunks.add(c);
    }
  }

  @Provide
  Arbitrary<List<PolicySnapshotChunk>> chunkLists() {
    return chunks().list().ofMaxSize(MAX_CHUNKS_SENT);
  }

  private static Arbitrary<PolicySnapshotChunk> chunks() {
    Arbitrary<Integer> ints =
        Arbitraries.oneOf(
            Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, 2, Integer.MAX_VALUE),
            Arbitraries.integers().between(-1, MAX_CHUNK),
            Arbitraries.integers());
    Arbitrary<Long> longs =
        Arbitraries.oneOf(
            Arbitraries.of(Long.MIN_VALUE, -1L, 0L, 1L, MAX_BYTES, MAX_BYTES + 1, Long.MAX_VALUE),
            Arbitraries.longs().between(-1, MAX_BYTES));
    return Combinators.combine(
            Arbitraries.longs().between(-1, 3),
            ints,
            ints,
            longs,
            longs,
            Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_CHUNK))
        .as(
            (version, index, count, total, crc, data) ->
                PolicySnapshotChunk.newBuilder()
                    .setVersion(version)
                    .setIndex(index)
                    .setCount(count)
                    .setTotalBytes(total)
                    .setCrc32(crc)
                    .setData(ByteString.copyFrom(data))
                    .build());
  }
}
