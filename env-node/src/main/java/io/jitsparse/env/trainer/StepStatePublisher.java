package io.jitsparse.env.trainer;

import com.google.protobuf.Message;
import io.jitsparse.env.train.StepState;
import io.jitsparse.protocol.v1.StepStateBatch;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A trainer's live view for {@code SubscribeStepStates} subscribers (docs/cluster.md, flow 8):
 * every training step becomes a wire {@link io.jitsparse.protocol.v1.StepState}, and every {@code
 * step-state-batch} of them goes to each subscriber as one {@link StepStateBatch}. Nothing is built
 * while nobody subscribes, so an unwatched trainer pays nothing.
 */
final class StepStatePublisher {

  /** Subscribers kept at most (a live view, not a fan-out service). */
  static final int MAX_SUBSCRIBERS = 16;

  private final String trainerId;
  private final int batchSize;
  private final Set<ActorRef<Message>> subscribers = new LinkedHashSet<>();
  private final List<io.jitsparse.protocol.v1.StepState> buffer = new ArrayList<>();

  StepStatePublisher(String trainerId, int batchSize) {
    this.trainerId = trainerId;
    this.batchSize = batchSize;
  }

  /**
   * Adds {@code subscriber}.
   *
   * @return false when {@link #MAX_SUBSCRIBERS} are already subscribed
   */
  boolean subscribe(ActorRef<Message> subscriber) {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      return false;
    }
    subscribers.add(subscriber);
    return true;
  }

  void unsubscribe(ActorRef<Message> subscriber) {
    subscribers.remove(subscriber);
  }

  /** Records one step of {@code episode}; sends a batch when enough have gathered. */
  void record(long episode, StepState st) {
    if (subscribers.isEmpty()) {
      return;
    }
    io.jitsparse.protocol.v1.StepState.Builder b =
        io.jitsparse.protocol.v1.StepState.newBuilder()
            .setTrainerId(trainerId)
            .setEpisode(episode)
            .setStep(st.step())
            .setLoss(st.loss())
            .setAccuracy(st.accuracy())
            .setLearningRate(st.learningRate());
    for (double d : st.densities()) {
      b.addLayerDensities(d);
    }
    buffer.add(b.build());
    if (buffer.size() >= batchSize) {
      flush();
    }
  }

  /**
   * Sends what has gathered, a short batch: at an episode's end, so that a live view shows the
   * episode's last steps while the trainer evaluates it instead of after the next episode's first.
   */
  void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    StepStateBatch batch = StepStateBatch.newBuilder().addAllStates(buffer).build();
    subscribers.forEach(sub -> sub.tell(batch));
    buffer.clear();
  }
}
