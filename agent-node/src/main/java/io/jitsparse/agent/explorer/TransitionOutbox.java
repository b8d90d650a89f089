package io.jitsparse.agent.explorer;

import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An explorer's outgoing experience: a bounded queue of pending transitions (the oldest dropped and
 * counted when full, so a slow or absent replay never grows an explorer's memory), cut into
 * sequence-numbered batches of which at most {@code maxUnacked} are in flight, each resent once its
 * deadline passes until the replay acknowledges its sequence. Times are {@code System.nanoTime()}
 * values passed in, so tests drive the clock. Not thread-safe: one per explorer.
 */
public final class TransitionOutbox {

  private record InFlight(TransitionBatch batch, long deadline) {}

  private final String explorerId;
  private final int batchSize;
  private final int maxUnacked;
  private final int maxPending;
  private final long timeoutNanos;
  private final ArrayDeque<Transition> pending = new ArrayDeque<>();
  private final Map<Long, InFlight> unacked = new LinkedHashMap<>();
  private long nextSequence;
  private boolean flushRequested;
  private boolean emptyBatchRequested;
  private long dropped;

  /**
   * @param explorerId names the sender in every batch
   * @param batchSize transitions per full batch
   * @param maxUnacked batches in flight at most
   * @param maxPending transitions held unsent at most
   * @param timeoutNanos resend deadline of a batch after it was (re)sent
   */
  public TransitionOutbox(
      String explorerId, int batchSize, int maxUnacked, int maxPending, long timeoutNanos) {
    this.explorerId = explorerId;
    this.batchSize = batchSize;
    this.maxUnacked = maxUnacked;
    this.maxPending = maxPending;
    this.timeoutNanos = timeoutNanos;
  }

  /** Queues a transition; returns how many old ones were dropped to make room (0 or 1). */
  public int add(Transition t) {
    pending.addLast(t);
    int droppedNow = 0;
    while (pending.size() > maxPending) {
      pending.pollFirst();
      droppedNow++;
    }
    dropped += droppedNow;
    return droppedNow;
  }

  /** Asks for the pending transitions to go out even if they do not fill a batch (episode end). */
  public void flush() {
    flushRequested = true;
  }

  /**
   * Asks for one batch to go out even when nothing is pending: it tells the replay this explorer's
   * {@code ack_to} before a message that needs it (an episode summary).
   */
  public void requestBatch() {
    emptyBatchRequested = true;
  }

  /** New batches that may be sent now, recorded as in flight with a deadline. */
  public List<TransitionBatch> ready(long now, String ackTo) {
    List<TransitionBatch> out = new ArrayList<>();
    while (unacked.size() < maxUnacked) {
      boolean full = pending.size() >= batchSize;
      boolean partial = flushRequested && !pending.isEmpty();
      if (!full && !partial && !emptyBatchRequested) {
        break;
      }
      TransitionBatch.Builder b =
          TransitionBatch.newBuilder()
              .setExplorerId(explorerId)
              .setSequence(nextSequence++)
              .setAckTo(ackTo);
      for (int i = 0; i < batchSize && !pending.isEmpty(); i++) {
        b.addTransitions(pending.pollFirst());
      }
      TransitionBatch batch = b.build();
      unacked.put(batch.getSequence(), new InFlight(batch, now + timeoutNanos));
      out.add(batch);
      emptyBatchRequested = false;
    }
    if (pending.isEmpty()) {
      flushRequested = false;
    }
    return out;
  }

  /**
   * In-flight batches past their deadline, oldest first; their deadlines restart at {@code now}.
   */
  public List<TransitionBatch> due(long now) {
    List<TransitionBatch> out = new ArrayList<>();
    for (Map.Entry<Long, InFlight> e : unacked.entrySet()) {
      if (e.getValue().deadline() - now <= 0) {
        out.add(e.getValue().batch());
        e.setValue(new InFlight(e.getValue().batch(), now + timeoutNanos));
      }
    }
    return out;
  }

  /** Marks {@code sequence} acknowledged; returns its transition count, or -1 if not in flight. */
  public int ack(long sequence) {
    InFlight f = unacked.remove(sequence);
    return f == null ? -1 : f.batch().getTransitionsCount();
  }

  /** Transitions dropped because the pending queue was full. */
  public long dropped() {
    return dropped;
  }

  /** Transitions waiting to be batched. */
  public int pendingCount() {
    return pending.size();
  }

  /** Batches sent and not yet acknowledged. */
  public int unackedCount() {
    return unacked.size();
  }

  /** Transitions in the batches sent and not yet acknowledged. */
  public int unackedTransitions() {
    int n = 0;
    for (InFlight f : unacked.values()) {
      n += f.batch().getTransitionsCount();
    }
    return n;
  }

  /** Sequences in flight, oldest first. */
  public List<Long> unackedSequences() {
    return new ArrayList<>(unacked.keySet());
  }
}
