package io.jitsparse.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jitsparse.protocol.MessageChecks;
import io.jitsparse.protocol.v1.LayerFeatures;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerDescription;
import io.jitsparse.protocol.v1.Transition;
import io.jitsparse.protocol.v1.TransitionBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Hostile wire input (issue 15, item 5): random bytes into every message's parser, and structurally
 * valid messages with hostile field values into {@link MessageChecks}. A parser may only refuse
 * with {@link InvalidProtocolBufferException}; a check may only answer (a named reason or empty),
 * never throw, and must refuse every non-finite or out-of-range value it guards. Tries: {@code
 * jitsparse.fuzz.tries} (docs/cluster.md, "Fuzzing").
 */
class WireMessagesFuzzTest {

  private static final int MAX_RANDOM_BYTES = 2048;
  private static final int MAX_LAYERS = 40;
  private static final int MAX_TRANSITIONS = 16;
  private static final int BATCH_LIMIT = 8;

  /** Every message type of jitsparse.proto, by its generated parser. */
  private static final List<Parser<? extends Message>> PARSERS = parsers();

  @Property
  void randomBytesParseOrFailWithTheirOwnException(
      @ForAll @Size(max = MAX_RANDOM_BYTES) byte[] bytes) {
    for (Parser<? extends Message> parser : PARSERS) {
      Message m;
      try {
        m = parser.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        continue;
      }
      checkAny(m);
    }
  }

  @Property
  void hostileObservationsAreNamedNotThrown(
      @ForAll("observations") Observation o, @ForAll("descriptions") TrainerDescription t) {
    Optional<String> reason = MessageChecks.observation(o, t);
    if (reason.isEmpty()) {
      // Accepted: then every guarded value really is in range.
      assertTrue(o.getValidationAccuracy() >= 0 && o.getValidationAccuracy() <= 1, o::toString);
      assertTrue(Double.isFinite(o.getReward()) && Double.isFinite(o.getBudgetSlack()));
      for (LayerFeatures l : o.getLayersList()) {
        assertTrue(Math.abs(l.getLogOffset()) <= MessageChecks.MAX_LOG_OFFSET, o::toString);
        assertTrue(Double.isFinite(l.getGradientNorm()), o::toString);
      }
    }
  }

  @Property
  void hostileRegistrationsAreNamedNotThrown(
      @ForAll("descriptions") TrainerDescription t, @ForAll("strings") String ref) {
    RegisterTrainer r = RegisterTrainer.newBuilder().setTrainer(t).setTrainerRef(ref).build();
    if (MessageChecks.registration(r).isEmpty()) {
      assertTrue(MessageChecks.TRAINER_ID.matcher(t.getTrainerId()).matches());
      assertTrue(t.getTargetDensity() >= 0 && t.getTargetDensity() <= 1, t::toString);
    }
  }

  @Property
  void hostileActionsAreNamedNotThrown(
      @ForAll("actions") SparsityAction a,
      @ForAll long episode,
      @ForAll long lastDecision,
      @ForAll("layerCounts") int layers) {
    if (MessageChecks.action(a, episode, lastDecision, layers).isEmpty()) {
      assertTrue(a.getLayerLogOffsetsCount() == layers && a.getLayerDensitiesCount() == layers);
      for (double d : a.getLayerDensitiesList()) {
        assertTrue(d >= 0 && d <= 1, a::toString);
      }
    }
  }

  @Property
  void hostileTransitionBatchesAreNamedNotThrown(@ForAll("batches") TransitionBatch b) {
    if (MessageChecks.transitionBatch(b, BATCH_LIMIT).isEmpty()) {
      assertTrue(b.getTransitionsCount() <= BATCH_LIMIT);
      for (Transition t : b.getTransitionsList()) {
        assertTrue(Double.isFinite(t.getReward()) && Double.isFinite(t.getInitialPriority()));
      }
    }
  }

  /** Runs the checks a receiver would run on whatever a parser made of random bytes. */
  private static void checkAny(Message m) {
    if (m instanceof RegisterTrainer r) {
      MessageChecks.registration(r);
      MessageChecks.observation(Observation.getDefaultInstance(), r.getTrainer());
    } else if (m instanceof Observation o) {
      MessageChecks.observation(o, TrainerDescription.getDefaultInstance());
    } else if (m instanceof SparsityAction a) {
      MessageChecks.action(a, a.getEpisode(), a.getDecision(), a.getLayerDensitiesCount());
    } else if (m instanceof TransitionBatch b) {
      MessageChecks.transitionBatch(b, BATCH_LIMIT);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Parser<? extends Message>> parsers() {
    List<Parser<? extends Message>> out = new ArrayList<>();
    for (Descriptor d : Observation.getDescriptor().getFile().getMessageTypes()) {
      try {
        Class<?> type = Class.forName("io.jitsparse.protocol.v1." + d.getName());
        out.add((Parser<? extends Message>) type.getMethod("parser").invoke(null));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no generated class for " + d.getFullName(), e);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Generators: valid structure, hostile values.

  /** Doubles a hostile peer would send: NaN, infinities, signed zeros, extremes, and in range. */
  static Arbitrary<Double> hostileDoubles() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -0.0,
            0.0,
            1.0,
            Math.nextUp(1.0),
            -Double.MIN_VALUE,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            MessageChecks.MAX_LOG_OFFSET,
            Math.nextUp(MessageChecks.MAX_LOG_OFFSET)),
        Arbitraries.doubles().between(-1, 2),
        Arbitraries.doubles());
  }

  /** Longs at and around the edges: negative, zero, huge. */
  static Arbitrary<Long> hostileLongs() {
    return Arbitraries.oneOf(
        Arbitraries.of(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE),
        Arbitraries.longs().between(-1, 1000),
        Arbitraries.longs());
  }

  @Provide
  static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "node-a-0", "../../etc/passwd", "a\u0000b", "\uD83D\uDE00", "é"),
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().alpha().numeric().withChars('-', '_', '.').ofMinLength(1),
        Arbitraries.strings().alpha().ofLength(129));
  }

  @Provide
  static Arbitrary<Integer> layerCounts() {
    return Arbitraries.integers().between(0, MAX_LAYERS);
  }

  static Arbitrary<LayerFeatures> layers() {
    return Combinators.combine(
            Arbitraries.integers().between(-1, MAX_LAYERS),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles())
        .as(
            (index, density, churn, mean, grad, ref, share, offset) ->
                LayerFeatures.newBuilder()
                    .setIndex(index)
                    .setDensity(density)
                    .setMaskChurn(churn)
                    .setWeightMagnitudeMean(mean)
                    .setGradientNorm(grad)
                    .setReferenceDensity(ref)
                    .setFlopsShare(share)
                    .setLogOffset(offset)
                    .build());
  }

  @Provide
  static Arbitrary<TrainerDescription> descriptions() {
    return Combinators.combine(
            strings(),
            hostileDoubles(),
            hostileLongs(),
            hostileLongs(),
            layers().list().ofMaxSize(MAX_LAYERS))
        .as(
            (id, density, steps, interval, layers) ->
                TrainerDescription.newBuilder()
                    .setTrainerId(id)
                    .setTargetDensity(density)
                    .setEpisodeSteps(steps)
                    .setDecisionInterval(interval)
                    .addAllLayers(layers)
                    .build());
  }

  @Provide
  static Arbitrary<Observation> observations() {
    return Combinators.combine(
            strings(),
            hostileLongs(),
            hostileLongs(),
            hostileLongs(),
            hostileDoubles(),
            hostileDoubles(),
            hostileDoubles(),
            layers().list().ofMaxSize(MAX_LAYERS))
        .as(
            (id, episode, step, total, accuracy, reward, density, layers) ->
                Observation.newBuilder()
                    .setTrainerId(id)
                    .setEpisode(episode)
                    .setStep(step)
                    .setTotalSteps(total)
                    .setValidationAccuracy(accuracy)
                    .setReward(reward)
                    .setSmoothedLoss(reward)
                    .setGlobalDensity(density)
                    .setTargetDensity(density)
                    .setBudgetSlack(accuracy)
                    .addAllLayers(layers)
                    .build());
  }

  @Provide
  static Arbitrary<SparsityAction> actions() {
    return Combinators.combine(
            hostileLongs(),
            hostileLongs(),
            hostileLongs(),
            hostileDoubles().list().ofMaxSize(MAX_LAYERS),
            hostileDoubles().list().ofMaxSize(MAX_LAYERS))
        .as(
            (episode, decision, version, densities, offsets) ->
                SparsityAction.newBuilder()
                    .setEpisode(episode)
                    .setDecision(decision)
                    .setPolicyVersion(version)
                    .addAllLayerDensities(densities)
                    .addAllLayerLogOffsets(offsets)
                    .build());
  }

  @Provide
  static Arbitrary<TransitionBatch> batches() {
    Arbitrary<Transition> transitions =
        Combinators.combine(
                observations().injectNull(0.2),
                Arbitraries.integers().list().ofMaxSize(MAX_LAYERS),
                hostileDoubles(),
                hostileDoubles(),
                hostileDoubles())
            .as(
                (state, moves, reward, discount, priority) -> {
                  Transition.Builder t =
                      Transition.newBuilder()
                          .addAllMoves(moves)
                          .setReward(reward)
                          .setDiscount(discount)
                          .setInitialPriority(priority);
                  if (state != null) {
                    t.setState(state).setNextState(state);
                  }
                  return t.build();
                });
    return Combinators.combine(
            strings(), hostileLongs(), transitions.list().ofMaxSize(MAX_TRANSITIONS))
        .as(
            (id, seq, ts) ->
                TransitionBatch.newBuilder()
                    .setExplorerId(id)
                    .setSequence(seq)
                    .addAllTransitions(ts)
                    .build());
  }
}
