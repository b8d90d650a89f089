package io.jitsparse.agent.live;

import io.jitsparse.protocol.v1.RegisterTrainer;
import io.jitsparse.protocol.v1.TrainerDescription;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.eventstream.EventStream;

/**
 * Published on the local event stream by the {@code TrainerRegistry} each time it has an explorer
 * for a registered trainer (a first registration or a repeated one, possibly from a restarted
 * trainer with a new ref). Whoever wants the trainer's step states (the {@link LiveFeed}) learns of
 * it here, so the registry needs no knowledge of them.
 *
 * @param trainer the trainer's description
 * @param trainerRef the trainer's ref as an {@code ActorRefResolver} string
 * @param explorer the trainer's explorer; when it stops, the trainer is gone from this node
 */
public record TrainerJoined(TrainerDescription trainer, String trainerRef, ActorRef<?> explorer)
    implements LiveFeed.Command {

  /** Publishes the event for {@code registration}, served by {@code explorer}. */
  public static void publish(
      ActorSystem<?> system, RegisterTrainer registration, ActorRef<?> explorer) {
    system
        .eventStream()
        .tell(
            new EventStream.Publish<>(
                new TrainerJoined(
                    registration.getTrainer(), registration.getTrainerRef(), explorer)));
  }
}
