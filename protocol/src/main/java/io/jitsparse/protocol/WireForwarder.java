package io.jitsparse.protocol;

import com.google.protobuf.Message;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A real actor that forwards every protobuf message it receives to a target (usually its parent's
 * message adapter). It is what gets registered with the receptionist or run as a cluster singleton,
 * so that the wire-facing ref is watchable and typed {@code ActorRef<Message>}.
 */
public final class WireForwarder {

  private WireForwarder() {}

  /** Forwards to {@code target}. */
  public static Behavior<Message> create(ActorRef<Message> target) {
    return Behaviors.receive(Message.class)
        .onMessage(
            Message.class,
            m -> {
              target.tell(m);
              return Behaviors.same();
            })
        .build();
  }
}
