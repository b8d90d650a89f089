package io.jitsparse.agent.replay;

import io.jitsparse.protocol.LocalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The replay journal's file I/O as an actor on {@value #DISPATCHER} (never the default dispatcher):
 * restores a store from the journal once ({@link JournalReader}), then appends and forces each
 * {@link JournalBuffer.Flush} the {@link Replay} sends ({@link JournalWriter}). A journal this
 * build cannot read (another format or feature encoding) is moved aside to {@code
 * replay.unreadable-<millis>} with an error naming it, and the replay starts empty.
 */
public final class ReplayPersister extends AbstractBehavior<ReplayPersister.Command> {

  /** The journal's dispatcher. */
  public static final String DISPATCHER = "jitsparse.replay-io-dispatcher";

  /** What the persister handles. */
  public sealed interface Command extends LocalCommand permits Restore, Persist {}

  /**
   * Reads the journal into {@code fresh.get()} and answers with {@link Restored}.
   *
   * @param capacity the replay's slots (for the buffer's priorities)
   */
  public record Restore(Supplier<CompactReplay> fresh, int capacity, ActorRef<Restored> replyTo)
      implements Command {}

  /**
   * The restored store and its journal buffer, handed over to the replay (nothing here keeps them).
   */
  public record Restored(
      CompactReplay store, JournalBuffer buffer, JournalReader.Restored result, Path dir)
      implements LocalCommand {}

  /** Appends {@code flush} and answers with {@link Persisted}. */
  public record Persist(JournalBuffer.Flush flush, ActorRef<Persisted> replyTo)
      implements Command {}

  /**
   * The outcome of a {@link Persist}.
   *
   * @param ok whether the flush (and any backlog before it) is on disk
   * @param pendingSinceNanos the flush's oldest change
   * @param bytesOnDisk the journal's files after it
   * @param writeNanos how long the append and its forces took
   */
  public record Persisted(boolean ok, long pendingSinceNanos, long bytesOnDisk, long writeNanos)
      implements LocalCommand {}

  private final Path dir;
  private final long segmentBytes;
  private JournalWriter writer;
  private long bytesOnDisk;

  /** The dispatcher selector of {@value #DISPATCHER}. */
  public static DispatcherSelector dispatcher() {
    return DispatcherSelector.fromConfig(DISPATCHER);
  }

  /** A persister of the journal in {@code dir}. */
  public static Behavior<Command> create(Path dir, long segmentBytes) {
    return Behaviors.setup(ctx -> new ReplayPersister(ctx, dir, segmentBytes));
  }

  private ReplayPersister(ActorContext<Command> ctx, Path dir, long segmentBytes) {
    super(ctx);
    this.dir = dir;
    this.segmentBytes = segmentBytes;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Restore.class, this::onRestore)
        .onMessage(Persist.class, this::onPersist)
        .onSignal(PostStop.class, s -> close())
        .build();
  }

  private Behavior<Command> onRestore(Restore r) throws IOException {
    CompactReplay store = r.fresh().get();
    JournalBuffer buffer = new JournalBuffer(r.capacity());
    JournalReader.Restored result;
    try {
      result = JournalReader.restore(dir, store, buffer);
      result.warnings().forEach(w -> getContext().getLog().warn("{}", w));
    } catch (IOException e) {
      Path aside =
          dir.resolveSibling(dir.getFileName() + ".unreadable-" + System.currentTimeMillis());
      Files.move(dir, aside);
      getContext()
          .getLog()
          .error(
              "replay not restored: {}; the journal was moved to {} and the replay starts empty",
              e.getMessage(),
              aside);
      store = r.fresh().get();
      buffer = new JournalBuffer(r.capacity());
      result = new JournalReader.Restored(0, 0, 0, java.util.List.of(e.getMessage()));
    }
    writer = new JournalWriter(dir, segmentBytes);
    bytesOnDisk = writer.bytesOnDisk();
    r.replyTo().tell(new Restored(store, buffer, result, dir));
    return this;
  }

  private Behavior<Command> onPersist(Persist p) {
    long t0 = System.nanoTime();
    boolean ok;
    try {
      JournalWriter.Written w = writer.append(p.flush());
      bytesOnDisk = w.bytesOnDisk();
      ok = true;
    } catch (IOException | RuntimeException e) {
      getContext().getLog().error("replay journal {}: persist failed: {}", dir, e.getMessage());
      ok = false;
    }
    p.replyTo()
        .tell(
            new Persisted(ok, p.flush().pendingSinceNanos(), bytesOnDisk, System.nanoTime() - t0));
    return this;
  }

  private Behavior<Command> close() {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException e) {
        getContext().getLog().warn("replay journal {} did not close: {}", dir, e.getMessage());
      }
    }
    return this;
  }
}
