package io.jitsparse.env.link;

import com.google.protobuf.Message;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.TrainerRegistered;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The trainer's side of the agent protocol (docs/cluster.md, flows 1, 2, 4 and 5), free of actors
 * so that the real {@code Trainer} and the load generator's {@code SimulatedTrainer} share one
 * implementation and unit tests drive it directly with a fake {@link Transport}.
 *
 * <p>It chooses a registry from the receptionist's listing, registers and notices when the registry
 * disappears; keeps the bounded window of unacknowledged observations (oldest dropped when full,
 * resent after {@code ack-timeout}) and the bounded outbox of episode summaries (resent until
 * acknowledged and on re-registration); measures round trips from the echoed {@code sent_at}; and
 * tells whether the agent is unreachable. Timers, meters and logs stay with the actors: every
 * method returns what happened (what was dropped, how many were resent, the round trip) and takes
 * the clock as an argument.
 *
 * <p>Not thread-safe: it belongs to one actor.
 *
 * @param <R> how an actor is addressed: {@code ActorRef<Message>} in the actors ({@link
 *     PekkoTransport}), anything comparable in tests
 */
public final class AgentLink<R> {

  /**
   * How the link reaches other actors: sends messages, orders registries and resolves the explorer
   * reference of a {@link TrainerRegistered}.
   *
   * @param <R> how an actor is addressed
   */
  public interface Transport<R> {

    /** Sends {@code message} to {@code to} (fire and forget). */
    void tell(R to, Message message);

    /** The key registries are sorted by before one is chosen: the actor path, as a string. */
    String sortKey(R ref);

    /** The reference that {@code serialized} (an {@code ActorRefResolver} string) stands for. */
    R resolve(String serialized);
  }

  /**
   * Bounds of the link.
   *
   * @param maxUnackedObservations observations kept until acknowledged (oldest dropped when full)
   * @param maxPendingSummaries episode summaries kept until acknowledged (oldest dropped when full)
   * @param ackTimeout time after which an unacknowledged observation or summary is resent
   */
  public record Limits(int maxUnackedObservations, int maxPendingSummaries, Duration ackTimeout) {

    /** Rejects empty windows and non-positive timeouts. */
    public Limits {
      if (maxUnackedObservations < 1 || maxPendingSummaries < 1) {
        throw new IllegalArgumentException("windows must hold at least one message");
      }
      if (ackTimeout.isZero() || ackTimeout.isNegative()) {
        throw new IllegalArgumentException("ack timeout must be positive, got " + ackTimeout);
      }
    }
  }

  /** What a new receptionist listing changed. */
  public enum ListingChange {
    /** The chosen registry is still listed. */
    UNCHANGED,
    /** A registry was chosen anew: registration is due and any earlier one is void. */
    NEW_REGISTRY,
    /** No registry is listed: any registration is void. */
    NO_REGISTRY
  }

  /** What a {@link TrainerRegistered} did. */
  public enum Registration {
    /** It names another trainer and was ignored. */
    FOREIGN,
    /** First registration or a new explorer: unacknowledged messages were sent to it. */
    FRESH,
    /** The same explorer again (an answer to a resent registration). */
    REPEATED
  }

  private record Key(long episode, long decision) {}

  /** An observation awaiting its acknowledgement. */
  private static final class Pending {
    final Observation observation;
    final long firstSentNanos;
    long lastSentNanos;

    Pending(Observation observation, long nowNanos) {
      this.observation = observation;
      this.firstSentNanos = nowNanos;
      this.lastSentNanos = nowNanos;
    }
  }

  /** A summary awaiting its acknowledgement. */
  private static final class PendingSummary {
    final EpisodeSummary summary;
    long lastSentNanos;

    PendingSummary(EpisodeSummary summary, long nowNanos) {
      this.summary = summary;
      this.lastSentNanos = nowNanos;
    }
  }

  private final String trainerId;
  private final Limits limits;
  private final long ackTimeoutNanos;
  private final Transport<R> transport;

  /** Unacknowledged observations, oldest first. */
  private final LinkedHashMap<Key, Pending> window = new LinkedHashMap<>();

  private final Deque<PendingSummary> outbox = new ArrayDeque<>();

  private RegisterTrainer registration;
  private R registry;
  private R explorer;
  private String runId = "";

  /**
   * @param trainerId the trainer's cluster-unique id; it chooses the registry
   * @param limits the window, outbox and resend bounds
   * @param transport how messages leave
   */
  public AgentLink(String trainerId, Limits limits, Transport<R> transport) {
    this.trainerId = trainerId;
    this.limits = limits;
    this.ackTimeoutNanos = limits.ackTimeout().toNanos();
    this.transport = transport;
  }

  // ---------------------------------------------------------------------------------------------
  // Registration

  /**
   * Sets what {@link #register()} sends. A real trainer knows its layers only once its first
   * network is built, so until then no registration is due.
   */
  public void describe(RegisterTrainer registration) {
    this.registration = registration;
  }

  /**
   * Takes a new listing of the trainer registries. The registry is {@code floorMod(trainerId
   * hashCode, n)} over the listing sorted by path, so trainers spread over several agent-nodes and
   * every listing order gives the same choice. A registry that is still listed is kept even when
   * the listing grows: moving would orphan the explorer for nothing.
   */
  public ListingChange onListing(Set<R> listed) {
    if (registry != null && listed.contains(registry)) {
      return ListingChange.UNCHANGED;
    }
    explorer = null;
    if (listed.isEmpty()) {
      registry = null;
      return ListingChange.NO_REGISTRY;
    }
    List<R> sorted = new ArrayList<>(listed);
    sorted.sort(Comparator.comparing(transport::sortKey));
    registry = sorted.get(Math.floorMod(trainerId.hashCode(), sorted.size()));
    return ListingChange.NEW_REGISTRY;
  }

  /** A registry is chosen, the description is known and no explorer has been assigned yet. */
  public boolean registrationDue() {
    return registry != null && registration != null && explorer == null;
  }

  /**
   * Sends the registration to the chosen registry if it is {@link #registrationDue() due}.
   *
   * @return whether it was sent
   */
  public boolean register() {
    if (!registrationDue()) {
      return false;
    }
    transport.tell(registry, registration);
    return true;
  }

  /**
   * Takes the registry's answer. A fresh registration (first, or a new explorer) sends every
   * unacknowledged observation and summary to the explorer at once: the new explorer has seen none
   * of them.
   */
  public Registration onRegistered(TrainerRegistered r, long nowNanos) {
    if (!r.getTrainerId().equals(trainerId)) {
      return Registration.FOREIGN;
    }
    R ref = transport.resolve(r.getExplorerRef());
    boolean fresh = !ref.equals(explorer);
    explorer = ref;
    runId = r.getRunId();
    if (!fresh) {
      return Registration.REPEATED;
    }
    for (Pending p : window.values()) {
      transport.tell(explorer, p.observation);
      p.lastSentNanos = nowNanos;
    }
    for (PendingSummary p : outbox) {
      transport.tell(explorer, p.summary);
      p.lastSentNanos = nowNanos;
    }
    return Registration.FRESH;
  }

  /** The registry refused this trainer: whatever explorer it had is no longer its own. */
  public void onRejected() {
    explorer = null;
  }

  /** Whether an explorer is assigned. */
  public boolean registered() {
    return explorer != null;
  }

  /** Whether a registry is chosen (registered or not). */
  public boolean hasRegistry() {
    return registry != null;
  }

  /** The agent-node's run id from the last registration, empty before. */
  public String runId() {
    return runId;
  }

  /**
   * Tells the chosen registry, if any, that this trainer leaves, so it stops the explorer. The link
   * stays usable; the actor stops after this.
   */
  public void deregister(String reason) {
    if (registry != null) {
      transport.tell(
          registry,
          DeregisterTrainer.newBuilder().setTrainerId(trainerId).setReason(reason).build());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Observations

  /**
   * Keeps {@code o} until acknowledged and sends it if registered (else it goes out on
   * registration).
   *
   * @return the oldest observation, dropped because the window was full
   */
  public Optional<Observation> send(Observation o, long nowNanos) {
    Optional<Observation> dropped = Optional.empty();
    if (window.size() >= limits.maxUnackedObservations()) {
      Iterator<Map.Entry<Key, Pending>> oldest = window.entrySet().iterator();
      dropped = Optional.of(oldest.next().getValue().observation);
      oldest.remove();
    }
    window.put(new Key(o.getEpisode(), o.getDecision()), new Pending(o, nowNanos));
    if (explorer != null) {
      transport.tell(explorer, o);
    }
    return dropped;
  }

  /**
   * Forgets the observation ({@code episode}, {@code decision}) that an action or acknowledgement
   * answered.
   *
   * @param echoedSentAt the {@code observation_sent_at_nanos} of the answer; 0 if not echoed
   * @return the round trip from the observation's first send, when it was still unacknowledged and
   *     the answer is to this very send: an echo of another {@code sent_at} (a cached answer to an
   *     earlier trainer with this id, on another clock) acknowledges but is not measured, and a
   *     second answer to a resent observation is not measured twice
   */
  public OptionalLong acknowledge(long episode, long decision, long echoedSentAt, long nowNanos) {
    Pending p = window.remove(new Key(episode, decision));
    if (p == null) {
      return OptionalLong.empty();
    }
    long sentAt = p.observation.getSentAtNanos();
    if (echoedSentAt != 0 && echoedSentAt != sentAt) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(nowNanos - sentAt);
  }

  /**
   * Resends, if registered, every observation and summary unacknowledged for {@code ack-timeout}
   * since its last send. Observations go unchanged, {@code sent_at} included, so the round trip
   * still counts from the first send.
   *
   * @return the number of observations resent
   */
  public int resendDue(long nowNanos) {
    if (explorer == null) {
      return 0;
    }
    int resent = 0;
    for (Pending p : window.values()) {
      if (nowNanos - p.lastSentNanos >= ackTimeoutNanos) {
        transport.tell(explorer, p.observation);
        p.lastSentNanos = nowNanos;
        resent++;
      }
    }
    for (PendingSummary p : outbox) {
      if (nowNanos - p.lastSentNanos >= ackTimeoutNanos) {
        transport.tell(explorer, p.summary);
        p.lastSentNanos = nowNanos;
      }
    }
    return resent;
  }

  /** Observations sent and neither acknowledged nor dropped. */
  public int unacked() {
    return window.size();
  }

  /**
   * Not registered, or the oldest unacknowledged observation has waited longer than {@code
   * agentTimeout}: the agent cannot steer in time.
   */
  public boolean unreachable(long nowNanos, Duration agentTimeout) {
    if (explorer == null) {
      return true;
    }
    if (window.isEmpty()) {
      return false;
    }
    long oldest = window.values().iterator().next().firstSentNanos;
    return nowNanos - oldest > agentTimeout.toNanos();
  }

  // ---------------------------------------------------------------------------------------------
  // Episode summaries

  /**
   * Keeps {@code summary} until acknowledged and sends it if registered.
   *
   * @return the oldest summary, dropped because the outbox was full
   */
  public Optional<EpisodeSummary> queueSummary(EpisodeSummary summary, long nowNanos) {
    Optional<EpisodeSummary> dropped = Optional.empty();
    if (outbox.size() >= limits.maxPendingSummaries()) {
      dropped = Optional.of(outbox.removeFirst().summary);
    }
    outbox.addLast(new PendingSummary(summary, nowNanos));
    if (explorer != null) {
      transport.tell(explorer, summary);
    }
    return dropped;
  }

  /**
   * Forgets the summary that {@code ack} acknowledges.
   *
   * @return whether one was pending
   */
  public boolean ackSummary(EpisodeSummaryAck ack) {
    return ack.getTrainerId().equals(trainerId)
        && outbox.removeIf(p -> p.summary.getEpisode() == ack.getEpisode());
  }

  /** Summaries not acknowledged yet. */
  public int pendingSummaries() {
    return outbox.size();
  }

  /**
   * Sends {@code message} to the explorer once, if registered, without keeping it: for a trainer
   * that stops and cannot wait for an acknowledgement.
   */
  public void tellOnce(Message message) {
    if (explorer != null) {
      transport.tell(explorer, message);
    }
  }
}
