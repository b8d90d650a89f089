package io.jitsparse.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps the gauges {@code jitsparse_cluster_members{member_role,status}} and {@code
 * jitsparse_cluster_unreachable_members{member_role}} equal to this node's view of the cluster.
 * Every role and status series exists from the start at zero, so an alert on unreachable members
 * works before the first one. The actor keeps its own view (the initial state, then every member
 * and reachability event) and recounts from it: the cluster's shared state object is updated by
 * another subscriber and can lag behind the event being handled.
 */
public final class ClusterMembersMeter {

  /** Statuses a member has while it is part of the cluster, in lifecycle order. */
  public static final List<MemberStatus> STATUSES =
      List.of(
          MemberStatus.joining(),
          MemberStatus.weaklyUp(),
          MemberStatus.up(),
          MemberStatus.leaving(),
          MemberStatus.exiting(),
          MemberStatus.down());

  /** The protocol: any cluster event means "recount". */
  public sealed interface Command {}

  private record Changed(Object event) implements Command {}

  private ClusterMembersMeter() {}

  /**
   * An actor that registers the gauges for {@code roles} on {@code registry} and keeps them
   * current.
   */
  public static Behavior<Command> create(MeterRegistry registry, List<String> roles) {
    return Behaviors.setup(
        ctx -> {
          AtomicIntegerArray members = new AtomicIntegerArray(roles.size() * STATUSES.size());
          AtomicIntegerArray unreachable = new AtomicIntegerArray(roles.size());
          for (int r = 0; r < roles.size(); r++) {
            for (int st = 0; st < STATUSES.size(); st++) {
              int i = r * STATUSES.size() + st;
              Gauge.builder("jitsparse.cluster.members", members, a -> a.get(i))
                  .description("cluster members this node sees, by role and status")
                  .tags("member_role", roles.get(r), "status", label(STATUSES.get(st)))
                  .strongReference(true)
                  .register(registry);
            }
            int i = r;
            Gauge.builder("jitsparse.cluster.unreachable.members", unreachable, a -> a.get(i))
                .description("members this node's failure detector marks unreachable, by role")
                .tags("member_role", roles.get(r))
                .strongReference(true)
                .register(registry);
          }
          Counter[] unreachableEvents = new Counter[roles.size()];
          for (int r = 0; r < roles.size(); r++) {
            unreachableEvents[r] =
                Counter.builder("jitsparse.cluster.unreachable.events")
                    .description(
                        "times this node's failure detector marked a member unreachable, by role")
                    .tags("member_role", roles.get(r))
                    .register(registry);
          }
          Cluster cluster = Cluster.get(ctx.getSystem());
          ActorRef<Object> events = ctx.messageAdapter(Object.class, Changed::new);
          cluster
              .subscriptions()
              .tell(Subscribe.create(events.narrow(), ClusterEvent.MemberEvent.class));
          cluster
              .subscriptions()
              .tell(Subscribe.create(events.narrow(), ClusterEvent.ReachabilityEvent.class));
          Map<Address, Member> view = new HashMap<>();
          Set<Address> unreachableView = new HashSet<>();
          return Behaviors.receive(Command.class)
              .onMessage(
                  Changed.class,
                  c -> {
                    if (c.event() instanceof ClusterEvent.UnreachableMember u) {
                      for (int r = 0; r < roles.size(); r++) {
                        if (u.member().hasRole(roles.get(r))) {
                          unreachableEvents[r].increment();
                        }
                      }
                    }
                    apply(c.event(), view, unreachableView);
                    recount(view, unreachableView, roles, members, unreachable);
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** The {@code status} label of a member status: lower snake case. */
  public static String label(MemberStatus status) {
    return status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static void apply(Object event, Map<Address, Member> view, Set<Address> unreachable) {
    if (event instanceof ClusterEvent.CurrentClusterState s) {
      view.clear();
      s.getMembers().forEach(m -> view.put(m.address(), m));
      unreachable.clear();
      s.getUnreachable().forEach(m -> unreachable.add(m.address()));
    } else if (event instanceof ClusterEvent.MemberRemoved e) {
      view.remove(e.member().address());
      unreachable.remove(e.member().address());
    } else if (event instanceof ClusterEvent.MemberEvent e) {
      view.put(e.member().address(), e.member());
    } else if (event instanceof ClusterEvent.UnreachableMember e) {
      unreachable.add(e.member().address());
    } else if (event instanceof ClusterEvent.ReachableMember e) {
      unreachable.remove(e.member().address());
    }
  }

  private static void recount(
      Map<Address, Member> view,
      Set<Address> unreachableView,
      List<String> roles,
      AtomicIntegerArray members,
      AtomicIntegerArray unreachable) {
    int[] m = new int[members.length()];
    int[] u = new int[unreachable.length()];
    for (Member member : view.values()) {
      int st = STATUSES.indexOf(member.status());
      for (int r = 0; r < roles.size(); r++) {
        if (member.hasRole(roles.get(r)) && st >= 0) {
          m[r * STATUSES.size() + st]++;
        }
      }
    }
    for (Address a : unreachableView) {
      Member member = view.get(a);
      if (member == null) {
        continue;
      }
      for (int r = 0; r < roles.size(); r++) {
        if (member.hasRole(roles.get(r))) {
          u[r]++;
        }
      }
    }
    for (int i = 0; i < m.length; i++) {
      members.set(i, m[i]);
    }
    for (int i = 0; i < u.length; i++) {
      unreachable.set(i, u[i]);
    }
  }
}
