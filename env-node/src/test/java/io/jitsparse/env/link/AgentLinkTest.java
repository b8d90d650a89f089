package io.jitsparse.env.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.jitsparse.protocol.v1.DeregisterTrainer;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent link driven directly: references are strings, sends are captured, time is given. */
class AgentLinkTest {

  private static final String ID = "node-a-3";
  private static final long MS = 1_000_000L;
  private static final Duration ACK_TIMEOUT = Duration.ofMillis(100);

  /** A sent message and where it went. */
  private record Sent(String to, Message message) {}

  /** Captures sends; a reference is its own path and its own serialized form. */
  private static final class FakeTransport implements AgentLink.Transport<String> {
    final List<Sent> sent = new ArrayList<>();

    @Override
    public void tell(String to, Message message) {
      sent.add(new Sent(to, message));
    }

    @Override
    public String sortKey(String ref) {
      return ref;
    }

    @Override
    public String resolve(String serialized) {
      return serialized;
    }

    List<Sent> drain() {
      List<Sent> out = List.copyOf(sent);
      sent.clear();
      return out;
    }
  }

  private final FakeTransport transport = new FakeTransport();

  private AgentLink<String> link(int window, int outbox) {
    AgentLink<String> link =
        new AgentLink<>(ID, new AgentLink.Limits(window, outbox, ACK_TIMEOUT), transport);
    link.describe(
        RegisterTrainer.newBuilder()
            .setTrainer(TrainerDescription.newBuilder().setTrainerId(ID))
            .setTrainerRef("trainer")
            .build());
    return link;
  }

  private AgentLink<String> registered(int window, int outbox) {
    AgentLink<String> link = link(window, outbox);
    link.onListing(Set.of("registry"));
    link.onRegistered(registeredReply("explorer"), 0);
    transport.drain();
    return link;
  }

  private static TrainerRegistered registeredReply(String explorer) {
    return TrainerRegistered.newBuilder()
        .setTrainerId(ID)
        .setRunId("run-1")
        .setExplorerRef(explorer)
        .build();
  }

  private static Observation observation(long episode, long decision, long sentAt) {
    return Observation.newBuilder()
        .setTrainerId(ID)
        .setEpisode(episode)
        .setDecision(decision)
        .setSentAtNanos(sentAt)
        .build();
  }

  private static EpisodeSummary summary(long episode) {
    return EpisodeSummary.newBuilder().setTrainerId(ID).setEpisode(episode).build();
  }

  private static EpisodeSummaryAck summaryAck(String trainer, long episode) {
    return EpisodeSummaryAck.newBuilder().setTrainerId(trainer).setEpisode(episode).build();
  }

  @Test
  void registryChoiceIsStableAcrossListingOrdersAndKeptWhileListed() {
    List<String> registries = List.of("r-c", "r-a", "r-d", "r-b", "r-e");
    String expected =
        registries.stream().sorted().toList().get(Math.floorMod(ID.hashCode(), registries.size()));
    for (int shift = 0; shift < registries.size(); shift++) {
      Set<String> listing = new LinkedHashSet<>();
      for (int i = 0; i < registries.size(); i++) {
        listing.add(registries.get((i + shift) % registries.size()));
      }
      AgentLink<String> link = link(4, 2);
      assertEquals(AgentLink.ListingChange.NEW_REGISTRY, link.onListing(listing));
      assertTrue(link.register());
      Sent sent = transport.drain().get(0);
      assertEquals(expected, sent.to(), "listing order " + listing);
      assertTrue(sent.message() instanceof RegisterTrainer);
    }

    AgentLink<String> link = registered(4, 2);
    // the registry stays while listed, even when the listing grows
    assertEquals(AgentLink.ListingChange.UNCHANGED, link.onListing(Set.of("registry", "a", "z")));
    assertTrue(link.registered());
  }

  @Test
  void registersUntilAnsweredAndAgainWhenTheRegistryLeaves() {
    AgentLink<String> link = link(4, 2);
    assertFalse(link.registrationDue(), "no registry listed yet");
    link.onListing(Set.of("registry"));
    assertTrue(link.register());
    assertTrue(link.register(), "resent until answered");
    assertEquals(2, transport.drain().size());

    TrainerRegistered foreign = registeredReply("explorer").toBuilder().setTrainerId("x").build();
    assertEquals(AgentLink.Registration.FOREIGN, link.onRegistered(foreign, 0));
    assertFalse(link.registered());
    assertEquals(AgentLink.Registration.FRESH, link.onRegistered(registeredReply("explorer"), 0));
    assertEquals(
        AgentLink.Registration.REPEATED, link.onRegistered(registeredReply("explorer"), 0));
    assertEquals("run-1", link.runId());
    assertFalse(link.register(), "registered: nothing due");

    assertEquals(AgentLink.ListingChange.NO_REGISTRY, link.onListing(Set.of()));
    assertFalse(link.registered());
    assertTrue(link.unreachable(0, Duration.ofSeconds(1)), "unregistered is unreachable");
    assertEquals(AgentLink.ListingChange.NEW_REGISTRY, link.onListing(Set.of("other")));
    assertTrue(link.register());
    assertEquals("other", transport.drain().get(0).to());

    link.deregister("done");
    Sent bye = transport.drain().get(0);
    assertEquals("other", bye.to());
    assertEquals(ID, ((DeregisterTrainer) bye.message()).getTrainerId());
  }

  @Test
  void noRegistrationBeforeTheDescriptionIsKnown() {
    AgentLink<String> link =
        new AgentLink<>(ID, new AgentLink.Limits(4, 2, ACK_TIMEOUT), transport);
    link.onListing(Set.of("registry"));
    assertFalse(link.register());
    assertTrue(transport.sent.isEmpty());
  }

  @Test
  void aFullWindowDropsTheOldest() {
    AgentLink<String> link = registered(2, 2);
    assertTrue(link.send(observation(0, 0, 1), 1).isEmpty());
    assertTrue(link.send(observation(0, 1, 2), 2).isEmpty());
    Observation dropped = link.send(observation(0, 2, 3), 3).orElseThrow();
    assertEquals(0, dropped.getDecision());
    assertEquals(2, link.unacked());
    assertEquals(3, transport.drain().size(), "every observation went out once");
    // the dropped observation's answer is no longer awaited
    assertTrue(link.acknowledge(0, 0, 1, 10).isEmpty());
    assertEquals(2, link.unacked());
  }

  @Test
  void unacknowledgedObservationsAreResentAfterTheTimeoutUnchanged() {
    AgentLink<String> link = registered(4, 2);
    Observation first = observation(0, 0, 0);
    link.send(first, 0);
    link.send(observation(0, 1, 50 * MS), 50 * MS);
    transport.drain();

    assertEquals(0, link.resendDue(99 * MS), "nothing is due before the ack timeout");
    assertEquals(1, link.resendDue(100 * MS));
    assertEquals(List.of(new Sent("explorer", first)), transport.drain());
    assertEquals(1, link.resendDue(150 * MS), "the second is due at its own timeout");
    assertEquals(0, link.resendDue(199 * MS), "a resend restarts the timeout");
  }

  @Test
  void nothingIsSentOrResentWhileUnregisteredAndAllGoesOutOnRegistration() {
    AgentLink<String> link = link(4, 2);
    link.onListing(Set.of("registry"));
    transport.drain();
    link.send(observation(0, 0, 0), 0);
    link.queueSummary(summary(0), 0);
    assertEquals(0, link.resendDue(10 * ACK_TIMEOUT.toNanos()));
    assertTrue(transport.sent.isEmpty());

    link.onRegistered(registeredReply("explorer"), 1);
    List<Sent> sent = transport.drain();
    assertEquals(2, sent.size());
    assertTrue(sent.stream().allMatch(s -> s.to().equals("explorer")));
  }

  @Test
  void anAcknowledgementRemovesTheObservationAndYieldsTheRoundTrip() {
    AgentLink<String> link = registered(4, 2);
    link.send(observation(0, 0, 10 * MS), 10 * MS);
    link.send(observation(0, 1, 20 * MS), 20 * MS);
    link.send(observation(0, 2, 30 * MS), 30 * MS);

    assertEquals(OptionalLong.of(15 * MS), link.acknowledge(0, 0, 10 * MS, 25 * MS));
    assertEquals(2, link.unacked());
    assertTrue(link.acknowledge(0, 0, 10 * MS, 26 * MS).isEmpty(), "measured once");
    // an answer that does not echo sent_at is measured from the first send
    assertEquals(OptionalLong.of(20 * MS), link.acknowledge(0, 1, 0, 40 * MS));
    // an echo of another send (another trainer with this id) acknowledges but is not measured
    assertTrue(link.acknowledge(0, 2, 7, 50 * MS).isEmpty());
    assertEquals(0, link.unacked());
  }

  @Test
  void theAgentIsUnreachableWhenTheOldestObservationWaitsTooLong() {
    AgentLink<String> link = registered(4, 2);
    Duration agentTimeout = Duration.ofMillis(500);
    assertFalse(link.unreachable(0, agentTimeout), "registered with nothing pending");
    link.send(observation(0, 0, 0), 0);
    link.resendDue(400 * MS); // a resend does not restart the agent's clock
    assertFalse(link.unreachable(500 * MS, agentTimeout));
    assertTrue(link.unreachable(501 * MS, agentTimeout));
    link.acknowledge(0, 0, 0, 502 * MS);
    assertFalse(link.unreachable(503 * MS, agentTimeout));
  }

  @Test
  void theSummaryOutboxIsBoundedResentAndClearedByAcknowledgement() {
    AgentLink<String> link = registered(4, 2);
    assertTrue(link.queueSummary(summary(0), 0).isEmpty());
    assertTrue(link.queueSummary(summary(1), 10 * MS).isEmpty());
    assertEquals(0, link.queueSummary(summary(2), 20 * MS).orElseThrow().getEpisode());
    assertEquals(2, link.pendingSummaries());
    assertEquals(3, transport.drain().size());

    assertEquals(0, link.resendDue(110 * MS), "summaries are not counted as observations");
    assertEquals(List.of(new Sent("explorer", summary(1))), transport.drain());

    assertFalse(link.ackSummary(summaryAck("someone-else", 1)), "another trainer's ack");
    assertTrue(link.ackSummary(summaryAck(ID, 1)));
    assertFalse(link.ackSummary(summaryAck(ID, 1)), "acknowledged twice");
    assertEquals(1, link.pendingSummaries());

    // a new explorer gets what is still pending
    link.onRegistered(registeredReply("explorer-2"), 200 * MS);
    assertEquals(List.of(new Sent("explorer-2", summary(2))), transport.drain());
    assertTrue(link.ackSummary(summaryAck(ID, 2)));
    assertEquals(0, link.pendingSummaries());
  }

  @Test
  void whileTheAgentIsAwayNoSummaryIsDroppedUpToTheBound() {
    // the env-node's default bound, as a trainer gets it
    int bound =
        com.typesafe.config.ConfigFactory.defaultReference()
            .getInt("jitsparse.env-node.max-pending-summaries");
    AgentLink<String> link = link(4, bound);
    for (int e = 0; e < bound; e++) {
      assertTrue(link.queueSummary(summary(e), e * MS).isEmpty(), "episode " + e + " dropped");
    }
    assertTrue(transport.drain().isEmpty(), "nothing sent with no explorer");
    assertEquals(0, link.queueSummary(summary(bound), bound * MS).orElseThrow().getEpisode());
    assertEquals(bound, link.pendingSummaries());
    link.onListing(Set.of("registry"));
    link.onRegistered(registeredReply("explorer"), (bound + 1) * MS);
    assertEquals(bound, transport.drain().size(), "every kept summary reaches the new explorer");
  }

  @Test
  void aRejectionEndsTheRegistration() {
    AgentLink<String> link = registered(4, 2);
    link.onRejected();
    assertFalse(link.registered());
    link.send(observation(0, 0, 0), 0);
    link.tellOnce(summary(0));
    assertTrue(transport.sent.isEmpty(), "nothing goes to an explorer that is not ours");
  }
}
