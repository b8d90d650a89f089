package io.jitsparse.agent.replay;

import com.google.protobuf.Message;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.TransitionBatch;
import io.jitsparse.protocol.v1.TransitionBatchAck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The experience replay of the learner (Ape-X, Horgan et al. 2018): takes explorers' transition
 * batches, rejects malformed or oversized ones, stores the rest in a {@link ReplayBuffer} and
 * acknowledges every batch (resends as duplicates) to its {@code ack_to}.
 */
public final class Replay extends AbstractBehavior<Replay.Command> {

  /** What the replay handles. */
  public sealed interface Command extends LocalCommand permits Store, FillStats {}

  /** A batch from an explorer. */
  public record Store(TransitionBatch batch) implements Command {}

  /** Adds the replay's numbers to {@code partial} and passes it to {@code next}. */
  public record FillStats(ReplayStats partial, Consumer<ReplayStats> next) implements Command {}

  private final ReplayBuffer buffer;
  private final int maxBatch;
  private final ActorRefResolver resolver;
  private final MeterRegistry registry;
  private final Gauge sizeGauge;
  private final Counter received;
  private final Counter evicted;
  private final Counter duplicates;
  private final Counter rejected;
  private long duplicateBatches;
  private long rejectedBatches;

  /** A replay of {@code capacity} transitions accepting batches of up to {@code maxBatch}. */
  public static Behavior<Command> create(int capacity, int maxBatch, MeterRegistry meters) {
    return Behaviors.setup(ctx -> new Replay(ctx, capacity, maxBatch, meters));
  }

  private Replay(ActorContext<Command> ctx, int capacity, int maxBatch, MeterRegistry meters) {
    super(ctx);
    this.buffer = new ReplayBuffer(capacity);
    this.maxBatch = maxBatch;
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.registry = meters;
    this.sizeGauge =
        Gauge.builder("jitsparse.agent.replay.size", buffer, ReplayBuffer::size)
            .description("transitions held by the replay")
            .register(meters);
    this.received = meters.counter("jitsparse.agent.replay.transitions.received");
    this.evicted = meters.counter("jitsparse.agent.replay.transitions.evicted");
    this.duplicates = meters.counter("jitsparse.agent.replay.batches.duplicate");
    this.rejected = meters.counter("jitsparse.agent.replay.batches.rejected");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Store.class, this::onStore)
        .onMessage(FillStats.class, this::onStats)
        // The gauge holds this incarnation's buffer: a restarted replay registers its own.
        .onSignal(PostStop.class, s -> unregister())
        .onSignal(PreRestart.class, s -> unregister())
        .build();
  }

  private Behavior<Command> onStore(Store s) {
    TransitionBatch b = s.batch();
    Optional<String> bad = MessageChecks.transitionBatch(b, maxBatch);
    if (bad.isPresent()) {
      rejectedBatches++;
      rejected.increment();
      getContext().getLog().warn("replay rejected a batch: {}", bad.get());
      return this;
    }
    ReplayBuffer.Added added = buffer.add(b);
    if (added.duplicate()) {
      duplicateBatches++;
      duplicates.increment();
    } else {
      received.increment(added.accepted());
      evicted.increment(added.evicted());
    }
    if (!b.getAckTo().isEmpty()) {
      ActorRef<Message> ackTo = resolver.resolveActorRef(b.getAckTo());
      ackTo.tell(
          TransitionBatchAck.newBuilder()
              .setExplorerId(b.getExplorerId())
              .setSequence(b.getSequence())
              .setAccepted(added.accepted())
              .setDuplicate(added.duplicate())
              .build());
    }
    return this;
  }

  private Behavior<Command> onStats(FillStats f) {
    f.next()
        .accept(
            f.partial().toBuilder()
                .setSize(buffer.size())
                .setCapacity(buffer.capacity())
                .setTransitionsReceived(buffer.received())
                .setTransitionsEvicted(buffer.evicted())
                .setDuplicateBatches(duplicateBatches)
                .setRejectedBatches(rejectedBatches)
                .build());
    return this;
  }

  private Behavior<Command> unregister() {
    registry.remove(sizeGauge);
    return this;
  }
}
