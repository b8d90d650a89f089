package io.jitsparse.agent.replay;

import com.google.protobuf.Message;
import io.jitsparse.agent.learner.LearnerSettings;
import io.jitsparse.monitoring.MetricBuckets;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.ReplayStats;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import io.jitsparse.protocol.v1.TransitionBatchAck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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
 * The prioritised experience replay of Ape-X (Horgan et al. 2018): takes explorers' transition
 * batches (malformed or oversized ones are rejected, resends acknowledged without storing twice),
 * stores them compactly in a {@link CompactReplay} with the explorers' initial priorities, answers
 * the learner's sample requests as far as the {@link SamplesPerInsertLimit} allows (a request it
 * cannot answer yet waits for more inserts) and applies the learner's new priorities.
 *
 * <p>Replay contents live in memory only: a restarted agent-node refills its replay from the
 * explorers (the learner's networks and counters come back from its checkpoint).
 */
public final class Replay extends AbstractBehavior<Replay.Command> {

  /** What the replay handles. */
  public sealed interface Command extends LocalCommand
      permits Store, FillStats, Sample, UpdatePriorities, PolicyVersion {}

  /** A batch from an explorer. */
  public record Store(TransitionBatch batch) implements Command {}

  /** Adds the replay's numbers to {@code partial} and passes it to {@code next}. */
  public record FillStats(ReplayStats partial, Consumer<ReplayStats> next) implements Command {}

  /**
   * The learner asks for a batch; answered when the samples-per-insert limit allows.
   *
   * @param beta importance-sampling exponent for this batch
   */
  public record Sample(int batchSize, double beta, ActorRef<Sampled> replyTo) implements Command {}

  /** The answer to {@link Sample}. */
  public record Sampled(SampledBatch batch) implements LocalCommand {}

  /** The learner's new priorities for a sampled batch. */
  public record UpdatePriorities(int[] slots, long[] ids, double[] priorities) implements Command {}

  /** The learner published this policy version (policy lag is measured against it). */
  public record PolicyVersion(long version) implements Command {}

  private final CompactReplay store;
  private final SamplesPerInsertLimit limit;
  private final SeenBatches seen = new SeenBatches();
  private final int maxBatch;
  private final Random random;
  private final ActorRefResolver resolver;
  private final MeterRegistry registry;
  private final List<Meter> gauges;
  private final Counter received;
  private final Counter evicted;
  private final Counter duplicates;
  private final Counter rejected;
  private final Counter rejectedTransitions;
  private final DistributionSummary policyLag;
  private final ExplorerPolicyLag explorerLag;
  private long duplicateBatches;
  private long rejectedBatches;
  private long publishedVersion;
  private Sample waiting;

  /** A replay with the capacity, memory and priorities of {@code s}. */
  public static Behavior<Command> create(
      int capacity, int maxBatch, LearnerSettings s, MeterRegistry meters) {
    return Behaviors.setup(ctx -> new Replay(ctx, capacity, maxBatch, s, meters));
  }

  private Replay(
      ActorContext<Command> ctx,
      int capacity,
      int maxBatch,
      LearnerSettings s,
      MeterRegistry meters) {
    super(ctx);
    this.store =
        new CompactReplay(capacity, s.arenaFloats(), s.priorityAlpha(), s.priorityEpsilon());
    this.limit = new SamplesPerInsertLimit(s.samplesPerInsert(), s.minReplaySize(), s.batchSize());
    this.maxBatch = maxBatch;
    this.random = new Random(s.seed());
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.registry = meters;
    this.gauges =
        List.of(
            Gauge.builder("jitsparse.agent.replay.size", store, CompactReplay::size)
                .description("transitions held by the replay")
                .register(meters),
            Gauge.builder("jitsparse.agent.replay.priority.sum", store, CompactReplay::prioritySum)
                .description("sum of the replay's exponentiated priorities")
                .register(meters),
            Gauge.builder("jitsparse.agent.replay.memory", store, r -> (double) r.bytes())
                .baseUnit("bytes")
                .description("memory of the replay's arrays")
                .register(meters));
    this.received =
        Counter.builder("jitsparse.agent.replay.transitions.received")
            .description("transitions inserted into the replay")
            .register(meters);
    this.evicted =
        Counter.builder("jitsparse.agent.replay.transitions.evicted")
            .description("transitions evicted (FIFO by capacity or memory)")
            .register(meters);
    this.duplicates =
        Counter.builder("jitsparse.agent.replay.batches.duplicate")
            .description("re-sent transition batches recognised and skipped")
            .register(meters);
    this.rejected =
        Counter.builder("jitsparse.agent.replay.batches.rejected")
            .description("transition batches refused whole")
            .register(meters);
    this.rejectedTransitions =
        Counter.builder("jitsparse.agent.replay.transitions.rejected")
            .description("transitions the replay refused")
            .register(meters);
    this.policyLag =
        DistributionSummary.builder("jitsparse.agent.replay.policy.lag")
            .description("policy versions between a transition's acting policy and the newest")
            .serviceLevelObjectives(MetricBuckets.POLICY_LAG)
            .register(meters);
    this.explorerLag = new ExplorerPolicyLag(meters, s.lagSeries());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Store.class, this::onStore)
        .onMessage(FillStats.class, this::onStats)
        .onMessage(Sample.class, this::onSample)
        .onMessage(UpdatePriorities.class, this::onPriorities)
        .onMessage(
            PolicyVersion.class,
            v -> {
              publishedVersion = Math.max(publishedVersion, v.version());
              return this;
            })
        // The gauges hold this incarnation's store: a restarted replay registers its own.
        .onSignal(PostStop.class, s -> unregister())
        .onSignal(PreRestart.class, s -> unregister())
        .build();
  }

  private Behavior<Command> onStore(Store s) {
    TransitionBatch b = s.batch();
    Optional<String> bad = MessageChecks.transitionBatch(b, maxBatch);
    if (bad.isPresent()) {
      return reject(bad.get());
    }
    boolean duplicate = !seen.firstTime(b.getExplorerId(), b.getSequence());
    int accepted = 0;
    if (duplicate) {
      duplicateBatches++;
      duplicates.increment();
    } else {
      long evictedBefore = store.evicted();
      long newestLag = -1;
      for (Transition t : b.getTransitionsList()) {
        try {
          store.insert(t);
          accepted++;
          long lag = Math.max(0, publishedVersion - t.getPolicyVersion());
          policyLag.record(lag);
          newestLag = lag;
        } catch (IllegalArgumentException e) {
          // One transition of an otherwise valid batch: counted as a transition, not a batch.
          rejectedTransitions.increment();
          getContext()
              .getLog()
              .warn("replay rejected a transition of {}: {}", b.getExplorerId(), e.getMessage());
        }
      }
      if (newestLag >= 0) {
        explorerLag.record(b.getExplorerId(), newestLag);
      }
      limit.inserted(accepted);
      received.increment(accepted);
      evicted.increment(store.evicted() - evictedBefore);
    }
    if (!b.getAckTo().isEmpty()) {
      ActorRef<Message> ackTo = resolver.resolveActorRef(b.getAckTo());
      ackTo.tell(
          TransitionBatchAck.newBuilder()
              .setExplorerId(b.getExplorerId())
              .setSequence(b.getSequence())
              .setAccepted(accepted)
              .setDuplicate(duplicate)
              .build());
    }
    if (waiting != null) {
      Sample w = waiting;
      waiting = null;
      onSample(w);
    }
    return this;
  }

  private Behavior<Command> reject(String why) {
    rejectedBatches++;
    rejected.increment();
    getContext().getLog().warn("replay rejected a batch: {}", why);
    return this;
  }

  private Behavior<Command> onSample(Sample s) {
    if (store.size() == 0 || !limit.canSample(s.batchSize())) {
      // One learner, one outstanding request: answered after the next insert.
      waiting = s;
      return this;
    }
    limit.sampled(s.batchSize());
    s.replyTo().tell(new Sampled(store.sample(s.batchSize(), s.beta(), random)));
    return this;
  }

  private Behavior<Command> onPriorities(UpdatePriorities u) {
    store.updatePriorities(u.slots(), u.ids(), u.priorities());
    return this;
  }

  private Behavior<Command> onStats(FillStats f) {
    f.next()
        .accept(
            f.partial().toBuilder()
                .setSize(store.size())
                .setCapacity(store.capacity())
                .setTransitionsReceived(store.inserted())
                .setTransitionsEvicted(store.evicted())
                .setDuplicateBatches(duplicateBatches)
                .setRejectedBatches(rejectedBatches)
                .build());
    return this;
  }

  private Behavior<Command> unregister() {
    gauges.forEach(registry::remove);
    registry.remove(policyLag);
    explorerLag.close();
    return this;
  }
}
