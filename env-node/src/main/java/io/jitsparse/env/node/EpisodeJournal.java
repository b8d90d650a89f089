package io.jitsparse.env.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jitsparse.protocol.LocalCommand;
import io.jitsparse.protocol.v1.EpisodeSummary;
import io.jitsparse.protocol.v1.LayerSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Appends one JSON line per {@link EpisodeSummary} to {@code <out>/episodes.jsonl}. Runs on {@code
 * jitsparse.io-dispatcher}: every line is forced to disk, which blocks.
 *
 * <p>Each line is written with one {@code write} of its full bytes (newline included) on a channel
 * opened with {@code APPEND}, then {@code force}d, so a graceful stop never leaves half a line and
 * a reader of the file sees whole episodes only.
 */
public final class EpisodeJournal extends AbstractBehavior<EpisodeJournal.Command> {

  /** The journal file's name inside the output folder. */
  public static final String FILE = "episodes.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the journal does. */
  public sealed interface Command extends LocalCommand permits Append, Flush {}

  /**
   * Append one episode.
   *
   * @param summary the episode
   * @param replyTo told {@link Done} once the line is on disk, or {@code null}
   */
  public record Append(EpisodeSummary summary, ActorRef<Done> replyTo) implements Command {}

  /**
   * Answered with {@link Done} once every line appended before it is on disk (a barrier: the owner
   * asks it before stopping, since stopping the journal would drop appends still queued).
   *
   * @param replyTo told when the earlier appends are written
   */
  public record Flush(ActorRef<Done> replyTo) implements Command {}

  private final FileChannel channel;
  private final Path file;

  /** A journal writing to {@code <out>/episodes.jsonl} (folders are created). */
  public static Behavior<Command> create(Path out) {
    return Behaviors.setup(ctx -> new EpisodeJournal(ctx, out));
  }

  private EpisodeJournal(ActorContext<Command> ctx, Path out) throws IOException {
    super(ctx);
    Files.createDirectories(out);
    this.file = out.resolve(FILE);
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(
            Flush.class,
            f -> {
              f.replyTo().tell(Done.getInstance());
              return this;
            })
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onAppend(Append a) {
    byte[] line = line(a.summary());
    try {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      // One write call in APPEND mode; the loop only runs again should the OS write short.
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      // A journal that cannot write is a real failure: the supervisor restarts (reopens) it.
      throw new UncheckedIOException("cannot append to " + file, e);
    }
    if (a.replyTo() != null) {
      a.replyTo().tell(Done.getInstance());
    }
    return this;
  }

  private Behavior<Command> onStop() {
    try {
      channel.close();
    } catch (IOException e) {
      getContext().getLog().warn("closing {}: {}", file, e.getMessage());
    }
    return this;
  }

  /** The JSON line (with its newline) of an episode. */
  public static byte[] line(EpisodeSummary s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("run_id", s.getRunId());
    o.put("trainer", s.getTrainerId());
    o.put("model", s.getModel());
    o.put("seed", s.getSeed());
    o.put("episode", s.getEpisode());
    o.put("aborted", s.getAborted());
    o.put("abort_reason", s.getAbortReason());
    o.put("steps", s.getSteps());
    o.put("test_accuracy", s.getTestAccuracy());
    o.put("global_density", s.getGlobalDensity());
    o.put("target_density", s.getTargetDensity());
    o.put("training_flops", s.getTrainingFlops());
    o.put("return", s.getReturn());
    o.put("policy_version", s.getPolicyVersion());
    ArrayNode steps = o.putArray("decision_steps");
    s.getDecisionStepsList().forEach(steps::add);
    ArrayNode schedule = o.putArray("schedule");
    for (LayerSchedule l : s.getScheduleList()) {
      ObjectNode layer = schedule.addObject();
      layer.put("layer", l.getIndex());
      ArrayNode d = layer.putArray("density");
      l.getDensityList().forEach(d::add);
    }
    try {
      return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
