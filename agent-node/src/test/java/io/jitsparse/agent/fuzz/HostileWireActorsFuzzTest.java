package io.jitsparse.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.jitsparse.agent.AgentNode;
import io.jitsparse.agent.AgentSettings;
import io.jitsparse.agent.policy.FeatureEncoder;
import io.jitsparse.agent.policy.MoveSet;
import io.jitsparse.agent.policy.QFunction;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.PolicyChunks;
import io.jitsparse.protocol.ServiceKeys;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.PolicySnapshot;
import io.jitsparse.protocol.v1.PolicySnapshotChunk;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.TrainerRegistered;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Hostile wire messages into the real actors (issue 15, item 5): registrations into the trainer
 * registry and observations into an explorer, each a good message with one field set to a hostile
 * value (NaN, ±Inf, negative, huge, empty or overlong strings, unicode, extra layers). Whatever
 * {@link MessageChecks} refuses must raise the actor's rejection counter of that kind by one;
 * whatever it accepts must get a finite answer and encode to bounded features (the Q-network's
 * input, and what replay stores); and after every message the actor must answer the next good one.
 */
class HostileWireActorsFuzzTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int LAYERS = 2;
  private static final long TOTAL_STEPS = 50;
  private static final String ID = "t-0";
  private static final int MAX_EXTRA_LAYERS = 3;

  /** Largest encoded feature: the smoothed loss, clipped at twice the loss of chance. */
  private static final float FEATURE_MAX = 2;

  private static ActorTestKit kit;
  private static SimpleMeterRegistry meters;
  private static ActorRef<Message> registry;
  private static ActorRef<Message> explorer;
  private static TestProbe<Message> trainer;
  private static TestProbe<Message> stranger;
  private static Observation lastAccepted;
  // Above anything the test's own learner publishes, so each hostile policy is the newest.
  private static long policyVersion = 1L << 40;

  private static final int POLICY_CHUNK_BYTES = 1 << 10;

  @BeforeContainer
  static void startAnAgent() {
    kit = ActorTestKit.create("HostileWireActorsFuzzTest", ConfigFactory.load());
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    meters = new SimpleMeterRegistry();
    kit.spawn(
        AgentNode.create(AgentSettings.create(kit.system().settings().config()), "fuzz", meters));
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    kit.system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.TRAINER_REGISTRY, listing.ref()));
    List<Receptionist.Listing> seen =
        listing.fishForMessage(
            WAIT,
            l ->
                l.getServiceInstances(ServiceKeys.TRAINER_REGISTRY).isEmpty()
                    ? FishingOutcomes.continueAndIgnore()
                    : FishingOutcomes.complete());
    registry =
        seen.get(seen.size() - 1)
            .getServiceInstances(ServiceKeys.TRAINER_REGISTRY)
            .iterator()
            .next();
    trainer = kit.createTestProbe(Message.class);
    stranger = kit.createTestProbe(Message.class);
    explorer = registerGood();
    lastAccepted = observation(0);
    explorer.tell(lastAccepted);
    trainer.expectMessageClass(SparsityAction.class, WAIT);
  }

  @AfterContainer
  static void stop() {
    kit.shutdownTestKit();
  }

  @Property
  void hostileRegistrationsAreCountedAndTheRegistryAnswersTheNext(
      @ForAll("hostileRegistrations") RegisterTrainer r) {
    double before = count("jitsparse.agent.registrations", "outcome", "rejected");
    registry.tell(r);
    if (MessageChecks.registration(r).isPresent()) {
      awaitCount(before + 1, "jitsparse.agent.registrations", "outcome", "rejected");
    }
    registerGood();
  }

  @Property
  void hostileObservationsAreCountedAndTheExplorerAnswersTheNext(
      @ForAll("hostileObservations") Observation o) {
    String[] kind = {"trainer", ID, "kind", "observation"};
    double before = count("jitsparse.agent.messages.rejected", kind);
    explorer.tell(o);
    if (MessageChecks.observation(o, description()).isPresent()) {
      awaitCount(before + 1, "jitsparse.agent.messages.rejected", kind);
    } else {
      Message answer = trainer.receiveMessage(WAIT);
      if (answer instanceof SparsityAction a) {
        assertEquals(
            java.util.Optional.empty(),
            MessageChecks.logOffsets(a.getLayerLogOffsetsList(), LAYERS),
            a::toString);
      }
      if (newer(o, lastAccepted)) {
        lastAccepted = o;
      }
    }
    // Alive: the newest accepted observation, sent again, is answered again.
    explorer.tell(lastAccepted);
    trainer.receiveMessage(WAIT);
  }

  @Property
  void acceptedObservationsEncodeToBoundedFeatures(@ForAll("hostileObservations") Observation o) {
    if (MessageChecks.observation(o, description()).isEmpty()) {
      float[] features = FeatureEncoder.encode(o);
      for (int i = 0; i < features.length; i++) {
        String which = "feature " + i + " = " + features[i] + " of " + o;
        assertTrue(features[i] >= -1 && features[i] <= FEATURE_MAX, which);
      }
    }
  }

  /**
   * Regression (found by {@link #acceptedObservationsEncodeToBoundedFeatures} in a long run): a
   * layer's {@code parameter_count} of -501 passed the checks and encoded to a parameter share of
   * -1.004; an overflowing count turned every share negative. Now refused, and the share clamped.
   */
  @Example
  void negativeOrHugeParameterCountsEncodeToBoundedShares() {
    Observation negative =
        observation(1).toBuilder()
            .setLayers(0, layer(0).toBuilder().setParameterCount(-501))
            .build();
    assertTrue(MessageChecks.observation(negative, description()).isPresent());
    Observation huge =
        observation(1).toBuilder()
            .setLayers(0, layer(0).toBuilder().setParameterCount(Long.MAX_VALUE))
            .build();
    acceptedObservationsEncodeToBoundedFeatures(huge);
  }

  /**
   * A policy that parses but does not fit: a Q-network of hostile widths (other inputs than the
   * feature row, other outputs than the move set), or hostile weights, chunked and sent to the
   * explorer as a newer version. The explorer must refuse what does not fit and still decide the
   * next observation with whatever policy it holds.
   */
  @Property
  void hostilePoliciesLeaveTheExplorerDeciding(
      @ForAll("widths") int inputs,
      @ForAll("widths") int outputs,
      @ForAll("weights") float weight) {
    QFunction q =
        new QFunction(
            new float[][] {filled(inputs * outputs, weight)},
            new float[][] {filled(outputs, weight)},
            new int[] {inputs, outputs});
    PolicySnapshot snapshot =
        PolicySnapshot.newBuilder()
            .setVersion(++policyVersion)
            .setFormat(QFunction.FORMAT)
            .setParameters(ByteString.copyFrom(q.toBytes()))
            .build();
    String[] kind = {"trainer", ID, "kind", "policy-format"};
    double before = count("jitsparse.agent.messages.rejected", kind);
    for (PolicySnapshotChunk c : PolicyChunks.split(snapshot, POLICY_CHUNK_BYTES)) {
      explorer.tell(c);
    }
    if (inputs != FeatureEncoder.ROW || outputs != MoveSet.size()) {
      awaitCount(before + 1, "jitsparse.agent.messages.rejected", kind);
    }
    // A new decision, so the policy is consulted (a resend would get the cached answer).
    Observation next =
        lastAccepted.getDecision() < Long.MAX_VALUE
            ? lastAccepted.toBuilder().setDecision(lastAccepted.getDecision() + 1).build()
            : lastAccepted.toBuilder()
                .setEpisode(lastAccepted.getEpisode() + 1)
                .setDecision(0)
                .build();
    explorer.tell(next);
    SparsityAction a = trainer.expectMessageClass(SparsityAction.class, WAIT);
    assertEquals(next.getDecision(), a.getDecision());
    lastAccepted = next;
  }

  /**
   * Regression (found by {@link #hostilePoliciesLeaveTheExplorerDeciding}): a Q-network whose input
   * width is not the feature row's was adopted, and the explorer failed (and stopped) at its next
   * decision with an IllegalArgumentException from {@code QFunction.forward}.
   */
  @Example
  void aPolicyOfTheWrongWidthIsRefused() {
    hostilePoliciesLeaveTheExplorerDeciding(FeatureEncoder.ROW + 1, MoveSet.size(), 0f);
  }

  /** The same for a Q-network scoring more moves than the move set has. */
  @Example
  void aPolicyScoringTooManyMovesIsRefused() {
    hostilePoliciesLeaveTheExplorerDeciding(FeatureEncoder.ROW, MoveSet.size() + 1, 1f);
  }

  /** Whether the explorer takes {@code o} as a new decision after {@code than} (else a resend). */
  private static boolean newer(Observation o, Observation than) {
    return o.getEpisode() > than.getEpisode()
        || (o.getEpisode() == than.getEpisode() && o.getDecision() > than.getDecision());
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Provide
  Arbitrary<Integer> widths() {
    return Arbitraries.oneOf(
        Arbitraries.of(1, FeatureEncoder.ROW, FeatureEncoder.ROW + 1, MoveSet.size()),
        Arbitraries.integers().between(1, FeatureEncoder.ROW * 2));
  }

  @Provide
  Arbitrary<Float> weights() {
    return Arbitraries.oneOf(
        Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f),
        Arbitraries.floats());
  }

  private static ActorRef<Message> registerGood() {
    registry.tell(
        RegisterTrainer.newBuilder().setTrainer(description()).setTrainerRef(ref(trainer)).build());
    TrainerRegistered ok = trainer.expectMessageClass(TrainerRegistered.class, WAIT);
    return ActorRefResolver.get(kit.system()).resolveActorRef(ok.getExplorerRef());
  }

  private static String ref(TestProbe<?> probe) {
    return ActorRefResolver.get(kit.system()).toSerializationFormat(probe.ref());
  }

  private static double count(String name, String... tags) {
    Counter c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static void awaitCount(double expected, String name, String... tags) {
    kit.createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertEquals(expected, count(name, tags), name + " " + String.join(",", tags));
              return null;
            });
  }

  private static LayerFeatures layer(int i) {
    return LayerFeatures.newBuilder()
        .setIndex(i)
        .setFanIn(100)
        .setFanOut(10)
        .setParameterCount(1000)
        .setRelativeDepth(i)
        .setDensity(1.0)
        .setReferenceDensity(1.0)
        .build();
  }

  private static TrainerDescription description() {
    TrainerDescription.Builder d =
        TrainerDescription.newBuilder()
            .setTrainerId(ID)
            .setNode("env-a")
            .setModel("lenet-300-100")
            .setTargetDensity(0.1)
            .setEpisodeSteps(TOTAL_STEPS)
            .setDecisionInterval(10);
    for (int i = 0; i < LAYERS; i++) {
      d.addLayers(layer(i));
    }
    return d.build();
  }

  private static Observation observation(long decision) {
    Observation.Builder b =
        Observation.newBuilder()
            .setTrainerId(ID)
            .setDecision(decision)
            .setStep(decision)
            .setTotalSteps(TOTAL_STEPS)
            .setGlobalDensity(1.0)
            .setTargetDensity(0.1)
            .setValidationAccuracy(0.5);
    for (int i = 0; i < LAYERS; i++) {
      b.addLayers(layer(i));
    }
    return b.build();
  }

  // ------------------------------------------------------------------------------------------
  // One field of a good message set to a hostile value, by protobuf reflection.

  private static final List<Object> HOSTILE_NUMBERS =
      List.of(
          Double.NaN,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          -1.0,
          -0.0,
          Math.nextUp(1.0),
          Double.MAX_VALUE,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          -1L,
          (double) Integer.MAX_VALUE);

  private static final List<String> HOSTILE_STRINGS =
      List.of("", " ", "t-0 ", "../t-0", "t\u0000", "\uD83D\uDE00", "é", "x".repeat(200), ID);

  /** {@code m} with its numeric or string field {@code f} set to {@code hostile}. */
  private static <B extends Message.Builder> B set(B b, FieldDescriptor f, Object hostile) {
    if (f.isRepeated() || f.getJavaType() == JavaType.MESSAGE || f.getJavaType() == JavaType.ENUM) {
      return b;
    }
    Object value =
        switch (f.getJavaType()) {
          case DOUBLE -> ((Number) hostile).doubleValue();
          case FLOAT -> ((Number) hostile).floatValue();
          case LONG -> ((Number) hostile).longValue();
          case INT -> ((Number) hostile).intValue();
          case BOOLEAN -> ((Number) hostile).doubleValue() > 0;
          default -> String.valueOf(hostile);
        };
    b.setField(f, value);
    return b;
  }

  private static Arbitrary<Object> hostileFor(FieldDescriptor f) {
    return f.getJavaType() == JavaType.STRING
        ? Arbitraries.of(HOSTILE_STRINGS).map(s -> (Object) s)
        : Arbitraries.oneOf(
            Arbitraries.of(HOSTILE_NUMBERS), Arbitraries.doubles().map(d -> (Object) d));
  }

  private static Arbitrary<FieldDescriptor> fields(com.google.protobuf.Descriptors.Descriptor d) {
    return Arbitraries.of(
        d.getFields().stream()
            .filter(f -> !f.isRepeated() && f.getJavaType() != JavaType.MESSAGE)
            .filter(f -> f.getJavaType() != JavaType.ENUM && f.getJavaType() != JavaType.BOOLEAN)
            .toList());
  }

  @Provide
  Arbitrary<Observation> hostileObservations() {
    Arbitrary<Observation> topLevel =
        fields(Observation.getDescriptor())
            .flatMap(f -> hostileFor(f).map(v -> set(observation(1).toBuilder(), f, v).build()));
    Arbitrary<Observation> inALayer =
        Combinators.combine(
                fields(LayerFeatures.getDescriptor()),
                Arbitraries.integers().between(0, LAYERS - 1))
            .flatAs(
                (f, i) ->
                    hostileFor(f)
                        .map(
                            v ->
                                observation(1).toBuilder()
                                    .setLayers(i, set(layer(i).toBuilder(), f, v))
                                    .build()));
    Arbitrary<Observation> extraLayers =
        Arbitraries.integers()
            .between(1, MAX_EXTRA_LAYERS)
            .map(
                n -> {
                  Observation.Builder b = observation(1).toBuilder();
                  for (int k = 0; k < n; k++) {
                    b.addLayers(layer(LAYERS + k));
                  }
                  return b.build();
                });
    return Arbitraries.oneOf(topLevel, inALayer, extraLayers);
  }

  @Provide
  Arbitrary<RegisterTrainer> hostileRegistrations() {
    Arbitrary<TrainerDescription> descriptions =
        fields(TrainerDescription.getDescriptor())
            .flatMap(f -> hostileFor(f).map(v -> set(description().toBuilder(), f, v).build()));
    Arbitrary<String> refs =
        Arbitraries.oneOf(Arbitraries.just(ref(stranger)), Arbitraries.of(HOSTILE_STRINGS));
    return Combinators.combine(descriptions, refs)
        .as(
            (d, r) -> {
              // Another trainer's id: a hostile message must not take over the good trainer's.
              TrainerDescription other =
                  d.getTrainerId().equals(ID) ? d.toBuilder().setTrainerId("t-1").build() : d;
              return RegisterTrainer.newBuilder().setTrainer(other).setTrainerRef(r).build();
            });
  }
}
