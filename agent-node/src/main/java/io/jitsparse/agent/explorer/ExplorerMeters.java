package io.jitsparse.agent.explorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One explorer's meters, tagged {@code trainer}. They are removed from the registry when the
 * explorer stops, so a long run with many short-lived trainers does not accumulate dead series.
 */
public final class ExplorerMeters {

  final Counter observations;
  final Counter greedy;
  final Counter explored;
  final Counter handcrafted;
  final Counter transitionsSent;
  final Counter transitionsAcked;
  final Counter transitionsDropped;
  final Counter summariesDropped;

  /** Episodes whose trainer's node left the cluster before it ended them: node-wide, no tag. */
  final Counter episodesAbandoned;

  /** Transitions still unacknowledged when a leaving explorer's drain ended: node-wide. */
  final Counter transitionsLost;

  final AtomicLong policyVersion = new AtomicLong();

  /**
   * What an explorer can reject, one series each from the start (a rare event's series exists at
   * zero before it happens).
   */
  static final List<String> REJECTED_KINDS =
      List.of(
          "unexpected",
          "observation",
          "episode-summary",
          "episode-summary-ack",
          "policy-chunk",
          "policy-format");

  private final Map<String, Counter> rejected = new HashMap<>();
  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> owned = new ArrayList<>();

  /**
   * The node-wide counters every explorer of a node shares (no trainer tag).
   *
   * @param episodesAbandoned episodes whose trainer's node left the cluster before they ended
   * @param transitionsLost transitions a leaving explorer could not deliver within drain-timeout
   */
  public record NodeCounters(Counter episodesAbandoned, Counter transitionsLost) {

    /** Registers them in {@code registry}; registering again returns the same counters. */
    public static NodeCounters register(MeterRegistry registry) {
      return new NodeCounters(
          Counter.builder("jitsparse.agent.episodes.abandoned")
              .description("episodes whose trainer's node left the cluster before they ended")
              .register(registry),
          Counter.builder("jitsparse.agent.transitions.lost")
              .description("transitions a leaving explorer could not deliver within drain-timeout")
              .register(registry));
    }
  }

  /**
   * @param epsilon the explorer's exploration rate, fixed for its life
   */
  ExplorerMeters(MeterRegistry registry, String trainerId, double epsilon) {
    this.registry = registry;
    this.tags = Tags.of("trainer", trainerId);
    observations = counter("jitsparse.agent.observations", "observations received");
    greedy = action("greedy");
    explored = action("explore");
    handcrafted = action("handcrafted");
    transitionsSent = counter("jitsparse.agent.transitions.sent", "transitions sent to replay");
    transitionsAcked = counter("jitsparse.agent.transitions.acked", "transitions acknowledged");
    transitionsDropped =
        counter("jitsparse.agent.transitions.dropped", "transitions dropped, outbox full");
    summariesDropped =
        counter("jitsparse.agent.summaries.dropped", "episode summaries dropped, outbox full");
    // Not owned: these outlive the explorer (they count what its end cost).
    NodeCounters node = NodeCounters.register(registry);
    episodesAbandoned = node.episodesAbandoned();
    transitionsLost = node.transitionsLost();
    owned.add(
        Gauge.builder("jitsparse.agent.policy.version", policyVersion, AtomicLong::get)
            .description("policy version the explorer acts with (0 = handcrafted)")
            .tags(tags)
            .register(registry));
    for (String kind : REJECTED_KINDS) {
      rejected.put(
          kind,
          owned(
              Counter.builder("jitsparse.agent.messages.rejected")
                  .description("wire messages rejected by an explorer, by kind")
                  .tags(tags.and("kind", kind))));
    }
    owned.add(
        Gauge.builder("jitsparse.agent.explorer.epsilon", () -> epsilon)
            .strongReference(true)
            .description("exploration rate of the explorer (Ape-X spread)")
            .tags(tags)
            .register(registry));
  }

  /** Counts a rejected message; {@code kind} is one of {@link #REJECTED_KINDS}. */
  void rejected(String kind) {
    Counter c = rejected.get(kind);
    if (c == null) {
      throw new IllegalArgumentException("unknown rejection kind '" + kind + "'");
    }
    c.increment();
  }

  void close() {
    owned.forEach(registry::remove);
  }

  private Counter counter(String name, String description) {
    return owned(Counter.builder(name).description(description).tags(tags));
  }

  /** Layer decisions of one kind: greedy, random (explore) or the version-0 handcrafted one. */
  private Counter action(String kind) {
    return owned(
        Counter.builder("jitsparse.agent.actions")
            .description("layer decisions by kind")
            .tags(tags.and("kind", kind)));
  }

  private Counter owned(Counter.Builder b) {
    Counter c = b.register(registry);
    owned.add(c);
    return c;
  }
}
