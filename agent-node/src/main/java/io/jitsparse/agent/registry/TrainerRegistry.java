package io.jitsparse.agent.registry;

import com.google.protobuf.Message;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.explorer.Explorer;
import io.jitsparse.agent.explorer.ExplorerMeters;
import io.jitsparse.agent.live.TrainerJoined;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.WireForwarder;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.RegistrationRejected;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * An agent-node's door for trainers: registered with the receptionist under {@link
 * ServiceKeys#TRAINER_REGISTRY}, it accepts {@code RegisterTrainer}, runs one {@link Explorer} per
 * trainer id (the explorer answers the registration) and stops explorers on {@code
 * DeregisterTrainer} or when their trainer's node is removed from the cluster.
 */
public final class TrainerRegistry extends AbstractBehavior<TrainerRegistry.Command> {

  /** What the registry handles. */
  public sealed interface Command extends LocalCommand
      permits Wire, MemberRemoved, ExplorerStopped {}

  /** A protobuf message that arrived through the registry's adapter. */
  public record Wire(Message message) implements Command {}

  private record MemberRemoved(ClusterEvent.MemberRemoved event) implements Command {}

  private record ExplorerStopped(String trainerId, ActorRef<Explorer.Command> explorer)
      implements Command {}

  private record Entry(
      ActorRef<Explorer.Command> explorer, String trainerRef, Address address, int slot) {}

  private final AgentSettings settings;
  private final String runId;
  private final ActorRef<Message> learner;
  private final MeterRegistry meters;
  private final ActorRefResolver resolver;
  private final Cluster cluster;
  private final Map<String, Entry> entries = new HashMap<>();
  // Exploration slots in use (Ape-X's epsilon spread): the lowest free one goes to a new explorer.
  private final java.util.BitSet slots = new java.util.BitSet();
  // Explorers told to stop whose names are still taken until their Terminated arrives.
  private final Set<String> stopping = new HashSet<>();
  private final Gauge explorersGauge;
  private final Counter accepted;
  private final Counter rejected;
  private final Counter dropped;
  private final Counter unexpected;

  /**
   * @param learner the learner singleton's proxy, handed to every explorer
   */
  public static Behavior<Command> create(
      AgentSettings settings, String runId, ActorRef<Message> learner, MeterRegistry meters) {
    return Behaviors.setup(ctx -> new TrainerRegistry(ctx, settings, runId, learner, meters));
  }

  private TrainerRegistry(
      ActorContext<Command> ctx,
      AgentSettings settings,
      String runId,
      ActorRef<Message> learner,
      MeterRegistry meters) {
    super(ctx);
    this.settings = settings;
    this.runId = runId;
    this.learner = learner;
    this.meters = meters;
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.cluster = Cluster.get(ctx.getSystem());
    this.explorersGauge =
        Gauge.builder("jitsparse.agent.explorers", entries, Map::size)
            .description("explorers running on this agent-node")
            .register(meters);
    this.accepted =
        Counter.builder("jitsparse.agent.registrations")
            .description("trainer registrations, by outcome")
            .tags("outcome", "accepted")
            .register(meters);
    this.rejected =
        Counter.builder("jitsparse.agent.registrations")
            .description("trainer registrations, by outcome")
            .tags("outcome", "rejected")
            .register(meters);
    this.dropped =
        Counter.builder("jitsparse.agent.explorers.dropped")
            .description("explorers stopped because their trainer left")
            .register(meters);
    // The explorers count into these node-wide series; registered here so that they exist at zero
    // before the first explorer (a rare event's series is there before it happens).
    ExplorerMeters.NodeCounters.register(meters);
    this.unexpected =
        Counter.builder("jitsparse.agent.registry.messages.rejected")
            .description("messages of an unexpected type the trainer registry refused")
            .register(meters);
    ActorRef<Message> adapter = ctx.messageAdapter(Message.class, Wire::new);
    ActorRef<Message> door = ctx.spawn(WireForwarder.create(adapter), "door");
    ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.TRAINER_REGISTRY, door));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wire.class, this::onWire)
        .onMessage(MemberRemoved.class, this::onMemberRemoved)
        .onMessage(ExplorerStopped.class, this::onExplorerStopped)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onWire(Wire w) {
    if (w.message() instanceof RegisterTrainer r) {
      onRegister(r);
    } else if (w.message() instanceof DeregisterTrainer d) {
      onDeregister(d);
    } else {
      getContext()
          .getLog()
          .warn(
              "registry ignored an unexpected {}",
              w.message().getDescriptorForType().getFullName());
      unexpected.increment();
    }
    return this;
  }

  private void onRegister(RegisterTrainer r) {
    Optional<String> bad = MessageChecks.registration(r);
    String id = r.getTrainer().getTrainerId();
    if (bad.isPresent()) {
      reject(r, bad.get());
      return;
    }
    if (stopping.contains(id)) {
      // The old explorer's name is still taken; the trainer retries registration shortly.
      getContext().getLog().info("registration of {} deferred: its explorer is stopping", id);
      return;
    }
    Entry e = entries.get(id);
    if (e != null && !e.trainerRef().equals(r.getTrainerRef()) && live(e.address())) {
      reject(r, "trainer id " + id + " is held by " + e.trainerRef());
      return;
    }
    Address address = addressOf(r.getTrainerRef());
    if (e == null) {
      int slot = slots.nextClearBit(0);
      slots.set(slot);
      ActorRef<Explorer.Command> explorer =
          getContext().spawn(Explorer.create(settings, runId, r, learner, meters, slot), id);
      getContext().watchWith(explorer, new ExplorerStopped(id, explorer));
      entries.put(id, new Entry(explorer, r.getTrainerRef(), address, slot));
      TrainerJoined.publish(getContext().getSystem(), r, explorer);
      getContext()
          .getLog()
          .info("trainer {} registered from {} (exploration slot {})", id, address, slot);
    } else {
      e.explorer().tell(new Explorer.Reregister(r));
      entries.put(id, new Entry(e.explorer(), r.getTrainerRef(), address, e.slot()));
      TrainerJoined.publish(getContext().getSystem(), r, e.explorer());
    }
    accepted.increment();
  }

  private void onDeregister(DeregisterTrainer d) {
    Entry e = entries.remove(d.getTrainerId());
    if (e != null) {
      getContext().getLog().info("trainer {} deregistered: {}", d.getTrainerId(), d.getReason());
      stop(d.getTrainerId(), e, false);
    }
  }

  private Behavior<Command> onMemberRemoved(MemberRemoved m) {
    Address gone = m.event().member().address();
    int n = 0;
    for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
      var kv = it.next();
      if (kv.getValue().address().equals(gone)) {
        it.remove();
        stop(kv.getKey(), kv.getValue(), true);
        n++;
      }
    }
    if (n > 0) {
      dropped.increment(n);
      getContext().getLog().info("dropped {} explorers of {}", n, gone);
    }
    return this;
  }

  private Behavior<Command> onExplorerStopped(ExplorerStopped s) {
    stopping.remove(s.trainerId());
    Entry e = entries.get(s.trainerId());
    if (e != null && e.explorer().equals(s.explorer())) {
      // Stopped on its own (a failure): forget it so the trainer's next registration respawns it.
      entries.remove(s.trainerId());
      slots.clear(e.slot());
      getContext().getLog().warn("explorer of {} stopped unexpectedly", s.trainerId());
    }
    return this;
  }

  /** The explorer drains what it holds and stops; its name stays taken until it has. */
  private void stop(String id, Entry e, boolean nodeLost) {
    stopping.add(id);
    slots.clear(e.slot());
    e.explorer().tell(new Explorer.TrainerLeft(nodeLost));
  }

  private void reject(RegisterTrainer r, String reason) {
    rejected.increment();
    getContext().getLog().warn("registration rejected: {}", reason);
    if (r.getTrainerRef().isEmpty()) {
      return;
    }
    ActorRef<Message> trainer = resolver.resolveActorRef(r.getTrainerRef());
    trainer.tell(
        RegistrationRejected.newBuilder()
            .setTrainerId(r.getTrainer().getTrainerId())
            .setReason(reason)
            .build());
  }

  /** The cluster address of a ref; local refs get this node's address so they compare. */
  private Address addressOf(String ref) {
    Address a = resolver.resolveActorRef(ref).path().address();
    return a.hasGlobalScope() ? a : cluster.selfMember().address();
  }

  /** Whether a trainer's node is still a member (so its registration is still held). */
  private boolean live(Address address) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(mb -> mb.address().equals(address))
        .map(Member::status)
        .anyMatch(st -> st != MemberStatus.down() && st != MemberStatus.removed());
  }

  private Behavior<Command> onStop() {
    meters.remove(explorersGauge);
    return this;
  }
}
