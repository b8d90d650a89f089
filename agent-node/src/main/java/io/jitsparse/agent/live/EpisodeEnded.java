package io.jitsparse.agent.live;

import io.jitsparse.protocol.v1.EpisodeSummary;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.eventstream.EventStream;

/**
 * Published on the local event stream by an {@code Explorer} for every episode summary its trainer
 * sends (a resent one may come twice; the board drops repeats). The {@link LiveFeed} draws the
 * learning curve from it.
 *
 * @param summary the trainer's summary
 */
public record EpisodeEnded(EpisodeSummary summary) implements LiveFeed.Command {

  /** Publishes the event for {@code summary}. */
  public static void publish(ActorSystem<?> system, EpisodeSummary summary) {
    system.eventStream().tell(new EventStream.Publish<>(new EpisodeEnded(summary)));
  }
}
