package io.jitsparse.protocol;

import com.google.protobuf.Message;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Receptionist keys and singleton names shared by env-node and agent-node. */
public final class ServiceKeys {

  /** One entry per agent-node: where trainers send {@code RegisterTrainer}. */
  public static final ServiceKey<Message> TRAINER_REGISTRY =
      ServiceKey.create(Message.class, "jitsparse-trainer-registry");

  /** Name of the learner cluster singleton (replay, episode statistics, policy publishing). */
  public static final String LEARNER_SINGLETON = "jitsparse-learner";

  /** Cluster role of env-nodes (trainers, loadgen). */
  public static final String ENV_ROLE = "env";

  /** Cluster role of agent-nodes (registry, explorers, learner). */
  public static final String AGENT_ROLE = "agent";

  private ServiceKeys() {}
}
