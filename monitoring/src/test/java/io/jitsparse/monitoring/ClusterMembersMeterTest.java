package io.jitsparse.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

class ClusterMembersMeterTest {

  private static final Duration JOIN = Duration.ofSeconds(30);

  @Test
  void everyRoleAndStatusExistsAtZeroThenCountsTheMemberUp() {
    ActorTestKit kit =
        ActorTestKit.create(
            "members",
            ConfigFactory.parseString(
                    """
                    pekko.actor.provider = cluster
                    pekko.remote.artery.canonical.hostname = 127.0.0.1
                    pekko.remote.artery.canonical.port = 0
                    pekko.cluster.roles = [env]
                    pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                    """)
                .withFallback(ConfigFactory.load()));
    try {
      SimpleMeterRegistry r = new SimpleMeterRegistry();
      kit.spawn(ClusterMembersMeter.create(r, List.of("env", "agent")), "meter");
      TestProbe<Object> probe = kit.createTestProbe();
      // registered at creation, before any event: every role x status, and unreachable per role
      probe.awaitAssert(
          JOIN,
          () -> {
            assertEquals(12, r.find("jitsparse.cluster.members").gauges().size());
            assertEquals(2, r.find("jitsparse.cluster.unreachable.members").gauges().size());
            return null;
          });
      assertEquals(0.0, members(r, "env", "up"));
      Cluster cluster = Cluster.get(kit.system());
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      probe.awaitAssert(
          JOIN,
          () -> {
            assertEquals(1.0, members(r, "env", "up"));
            return null;
          });
      assertEquals(0.0, members(r, "agent", "up"), "the member has no agent role");
      assertEquals(0.0, members(r, "env", "joining"), "a member counts under one status");
      assertEquals(
          0.0,
          r.get("jitsparse.cluster.unreachable.members").tag("member_role", "env").gauge().value());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void statusLabelsAreSnakeCase() {
    assertEquals("weakly_up", ClusterMembersMeter.label(MemberStatus.weaklyUp()));
    assertEquals("up", ClusterMembersMeter.label(MemberStatus.up()));
    assertEquals("exiting", ClusterMembersMeter.label(MemberStatus.exiting()));
  }

  private static double members(SimpleMeterRegistry r, String role, String status) {
    return r.get("jitsparse.cluster.members")
        .tag("member_role", role)
        .tag("status", status)
        .gauge()
        .value();
  }
}
