package io.jitsparse.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Splits a {@link PolicySnapshot} into {@link PolicySnapshotChunk}s small enough for Artery's
 * ordinary channel (well under {@code maximum-frame-size}) and reassembles them. Chunking was
 * chosen over Artery's large-message channel because it needs no per-path transport config, works
 * the same on every transport and keeps each frame bounded whatever the policy's size.
 */
public final class PolicyChunks {

  private PolicyChunks() {}

  /** The snapshot as chunks of at most {@code chunkSize} payload bytes. */
  public static List<PolicySnapshotChunk> split(PolicySnapshot snapshot, int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("policy chunk size must be positive: " + chunkSize);
    }
    ByteString bytes = snapshot.toByteString();
    int count = Math.max(1, (bytes.size() + chunkSize - 1) / chunkSize);
    long crc = crc32(bytes);
    List<PolicySnapshotChunk> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunkSize;
      int to = Math.min(bytes.size(), from + chunkSize);
      out.add(
          PolicySnapshotChunk.newBuilder()
              .setVersion(snapshot.getVersion())
              .setIndex(i)
              .setCount(count)
              .setData(bytes.substring(from, to))
              .setTotalBytes(bytes.size())
              .setCrc32(crc)
              .build());
    }
    return out;
  }

  private static long crc32(ByteString bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  /**
   * Collects the chunks of one version at a time. Chunks of an older version than the one being
   * assembled are ignored; a newer version restarts assembly (the older one can never complete).
   * Not thread-safe: one per actor.
   */
  public static final class Assembler {
    private final long maxBytes;
    private long version = -1;
    private ByteString[] parts;
    private int received;
    private long bytesHeld;

    /**
     * @param maxBytes largest snapshot accepted (bounds memory against a hostile count)
     */
    public Assembler(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    /**
     * Adds a chunk; returns the snapshot once its last chunk arrived.
     *
     * @throws IllegalArgumentException when the chunk is malformed (its reason names the field)
     */
    public Optional<PolicySnapshot> add(PolicySnapshotChunk chunk) {
      String bad = check(chunk);
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
      if (chunk.getVersion() < version) {
        return Optional.empty();
      }
      if (chunk.getVersion() > version || parts == null || parts.length != chunk.getCount()) {
        version = chunk.getVersion();
        parts = new ByteString[chunk.getCount()];
        received = 0;
        bytesHeld = 0;
      }
      if (parts[chunk.getIndex()] == null) {
        // Bounded as they arrive: chunks whose data outgrow their total_bytes are refused now,
        // not held until the last one (found by PolicyChunksFuzzTest).
        if (bytesHeld + chunk.getData().size() > chunk.getTotalBytes()) {
          throw new IllegalArgumentException(
              "policy snapshot v"
                  + version
                  + ": chunks hold more than total_bytes "
                  + chunk.getTotalBytes());
        }
        parts[chunk.getIndex()] = chunk.getData();
        bytesHeld += chunk.getData().size();
        received++;
      }
      if (received < parts.length) {
        return Optional.empty();
      }
      ByteString whole = ByteString.copyFrom(List.of(parts));
      parts = null;
      if (whole.size() != chunk.getTotalBytes()) {
        throw new IllegalArgumentException(
            "policy snapshot v"
                + version
                + ": total_bytes "
                + chunk.getTotalBytes()
                + " but chunks hold "
                + whole.size());
      }
      if (crc32(whole) != chunk.getCrc32()) {
        throw new IllegalArgumentException("policy snapshot v" + version + ": crc32 mismatch");
      }
      try {
        PolicySnapshot snapshot = PolicySnapshot.parseFrom(whole);
        if (snapshot.getVersion() != version) {
          throw new IllegalArgumentException(
              "policy snapshot: chunks say v"
                  + version
                  + ", payload says v"
                  + snapshot.getVersion());
        }
        return Optional.of(snapshot);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(
            "policy snapshot v" + version + ": " + e.getMessage(), e);
      }
    }

    /** The version being (or last) assembled, -1 before the first chunk. */
    public long version() {
      return version;
    }

    private String check(PolicySnapshotChunk c) {
      if (c.getVersion() < 0) {
        return "policy chunk: negative version " + c.getVersion();
      }
      if (c.getCount() <= 0 || c.getIndex() < 0 || c.getIndex() >= c.getCount()) {
        return "policy chunk: index " + c.getIndex() + " outside count " + c.getCount();
      }
      if (c.getTotalBytes() < 0 || c.getTotalBytes() > maxBytes) {
        return "policy chunk: total_bytes " + c.getTotalBytes() + " outside [0, " + maxBytes + "]";
      }
      // split() never makes an empty chunk but for an empty snapshot, so count <= max(1, bytes).
      // Without this bound a hostile count (Integer.MAX_VALUE) made add() allocate that many parts
      // before any data arrived: an OutOfMemoryError in the explorer (found by
      // PolicyChunksFuzzTest).
      if (c.getCount() > Math.max(1, c.getTotalBytes())) {
        return "policy chunk: count " + c.getCount() + " exceeds total_bytes " + c.getTotalBytes();
      }
      return null;
    }
  }
}
