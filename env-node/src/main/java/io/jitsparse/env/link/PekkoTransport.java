package io.jitsparse.env.link;

import com.google.protobuf.Message;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The {@link AgentLink.Transport} of the trainer actors: plain {@code tell}, registries ordered by
 * actor path, explorer references resolved with the system's {@link ActorRefResolver}. Kept apart
 * so that {@link AgentLink} itself needs no actor system.
 */
public final class PekkoTransport implements AgentLink.Transport<ActorRef<Message>> {

  private final ActorRefResolver resolver;

  /** A transport resolving references in {@code system}. */
  public PekkoTransport(ActorSystem<?> system) {
    this.resolver = ActorRefResolver.get(system);
  }

  @Override
  public void tell(ActorRef<Message> to, Message message) {
    to.tell(message);
  }

  @Override
  public String sortKey(ActorRef<Message> ref) {
    return ref.path().toString();
  }

  @Override
  public ActorRef<Message> resolve(String serialized) {
    return resolver.resolveActorRef(serialized);
  }
}
