package io.jitsparse.env.loadgen;

import com.google.protobuf.Message;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.EpisodeSummaryAck;
import io.jitsparse.protocol.v1.Observation;
import io.jitsparse.protocol.v1.ObservationAck;
import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.SparsityAction;
import io.jitsparse.protocol.v1.TrainerRegistered;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A trainer registry and explorer in one actor, answering as an agent-node does: registration, an
 * action per non-final observation, an acknowledgement of final ones and of episode summaries.
 * While {@code silent} is set it registers trainers but answers nothing else.
 */
final class FakeAgent {

  private FakeAgent() {}

  static Behavior<Message> create(AtomicBoolean silent) {
    return Behaviors.setup(
        ctx -> {
          ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
          Map<String, ActorRef<Message>> trainers = new HashMap<>();
          return Behaviors.receive(Message.class)
              .onMessage(
                  Message.class,
                  m -> {
                    if (m instanceof RegisterTrainer r) {
                      String id = r.getTrainer().getTrainerId();
                      ActorRef<Message> t = resolver.resolveActorRef(r.getTrainerRef());
                      trainers.put(id, t);
                      t.tell(
                          TrainerRegistered.newBuilder()
                              .setTrainerId(id)
                              .setRunId("run-test")
                              .setExplorerRef(resolver.toSerializationFormat(ctx.getSelf()))
                              .build());
                    } else if (!silent.get()) {
                      answer(m, trainers);
                    }
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static void answer(Message m, Map<String, ActorRef<Message>> trainers) {
    if (m instanceof Observation o && !o.getDone()) {
      SparsityAction.Builder a =
          SparsityAction.newBuilder()
              .setTrainerId(o.getTrainerId())
              .setEpisode(o.getEpisode())
              .setDecision(o.getDecision())
              .setObservationSentAtNanos(o.getSentAtNanos());
      o.getLayersList().forEach(l -> a.addLayerDensities(l.getDensity()).addLayerLogOffsets(0));
      trainers.get(o.getTrainerId()).tell(a.build());
    } else if (m instanceof Observation o) {
      trainers
          .get(o.getTrainerId())
          .tell(
              ObservationAck.newBuilder()
                  .setTrainerId(o.getTrainerId())
                  .setEpisode(o.getEpisode())
                  .setDecision(o.getDecision())
                  .setObservationSentAtNanos(o.getSentAtNanos())
                  .build());
    } else if (m instanceof EpisodeSummary s) {
      trainers
          .get(s.getTrainerId())
          .tell(
              EpisodeSummaryAck.newBuilder()
                  .setTrainerId(s.getTrainerId())
                  .setEpisode(s.getEpisode())
                  .build());
    }
  }
}
