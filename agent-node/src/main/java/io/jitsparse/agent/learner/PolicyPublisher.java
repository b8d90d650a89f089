package io.jitsparse.agent.learner;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.PolicyChunks;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.SubscribePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Holds the current policy snapshot and delivers it, chunked with {@link PolicyChunks}, to
 * explorers: on subscription when the subscriber's version is older, and to every subscriber when a
 * new version is published. Subscriptions expire unless renewed (explorers renew every {@code
 * policy-resubscribe-interval}), which forgets stopped explorers without watching remote adapters
 * and lets a restarted learner rebuild its list. Version 0 is the handcrafted schedule.
 */
public final class PolicyPublisher extends AbstractBehavior<PolicyPublisher.Command> {

  /** What the publisher handles. */
  public sealed interface Command extends LocalCommand permits Subscribe, Publish, FillStats {}

  /** An explorer's (re)subscription. */
  public record Subscribe(SubscribePolicy subscription) implements Command {}

  /** A new policy version to send to every subscriber (from the learner). */
  public record Publish(PolicySnapshot snapshot) implements Command {}

  /** Adds the policy version to {@code partial} and passes it to {@code next}. */
  public record FillStats(ReplayStats partial, Consumer<ReplayStats> next) implements Command {}

  /** Versions between two INFO lines about a publication (the others are DEBUG). */
  static final long LOG_EVERY = 100;

  private final int chunkSize;
  private final long ttlNanos;
  private final ActorRefResolver resolver;
  private final Map<String, Long> subscribers = new HashMap<>();
  private PolicySnapshot current;
  private List<PolicySnapshotChunk> chunks;

  /** The handcrafted snapshot of version 0 for {@code schedule}. */
  public static PolicySnapshot handcrafted(String schedule) {
    return PolicySnapshot.newBuilder()
        .setVersion(0)
        .setFormat("handcrafted:" + schedule)
        .setParameters(ByteString.EMPTY)
        .build();
  }

  /**
   * @param initial the snapshot held at start
   * @param chunkSize payload bytes per chunk
   * @param subscriptionTtl how long a subscription lasts without renewal
   */
  public static Behavior<Command> create(
      PolicySnapshot initial, int chunkSize, Duration subscriptionTtl) {
    return Behaviors.setup(ctx -> new PolicyPublisher(ctx, initial, chunkSize, subscriptionTtl));
  }

  private PolicyPublisher(
      ActorContext<Command> ctx, PolicySnapshot initial, int chunkSize, Duration ttl) {
    super(ctx);
    this.chunkSize = chunkSize;
    this.ttlNanos = ttl.toNanos();
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    hold(initial);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Publish.class, this::onPublish)
        .onMessage(FillStats.class, this::onStats)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    SubscribePolicy sub = s.subscription();
    if (sub.getSubscriberRef().isEmpty()) {
      getContext().getLog().warn("policy subscription without subscriber_ref ignored");
      return this;
    }
    subscribers.put(sub.getSubscriberRef(), System.nanoTime());
    if (sub.getHaveVersion() < current.getVersion()) {
      send(sub.getSubscriberRef());
    }
    return this;
  }

  private Behavior<Command> onPublish(Publish p) {
    if (p.snapshot().getVersion() <= current.getVersion()) {
      getContext()
          .getLog()
          .warn(
              "policy v{} not newer than v{}; not published",
              p.snapshot().getVersion(),
              current.getVersion());
      return this;
    }
    hold(p.snapshot());
    long now = System.nanoTime();
    subscribers.values().removeIf(seen -> now - seen > ttlNanos);
    subscribers.keySet().forEach(this::send);
    // A learner publishes several versions a second: one INFO line per version would bury the
    // node's other events, so only the first and every LOG_EVERY-th are INFO.
    long v = current.getVersion();
    String line = "published policy v{} ({} bytes in {} chunks) to {} subscribers";
    Object[] args = {v, current.getSerializedSize(), chunks.size(), subscribers.size()};
    if (v <= 1 || v % LOG_EVERY == 0) {
      getContext().getLog().info(line, args);
    } else {
      getContext().getLog().debug(line, args);
    }
    return this;
  }

  private Behavior<Command> onStats(FillStats f) {
    f.next().accept(f.partial().toBuilder().setPolicyVersion(current.getVersion()).build());
    return this;
  }

  private void hold(PolicySnapshot snapshot) {
    current = snapshot;
    // Split once per version: every subscriber gets the same immutable chunks.
    chunks = PolicyChunks.split(snapshot, chunkSize);
  }

  private void send(String subscriberRef) {
    ActorRef<Message> to = resolver.resolveActorRef(subscriberRef);
    chunks.forEach(to::tell);
  }
}
