package io.jitsparse.bench;

import io.jitsparse.env.data.FashionMnist;
import io.jitsparse.env.train.BaselineRun;
import io.jitsparse.env.train.BaselineSettings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The real {@code jitsparse baseline} loop ({@link BaselineRun}: batch assembly from the raw data,
 * the trainer's step with its statistics, mask updates and GC window, {@code steps.csv}, the
 * schedule log, the progress bar, checkpoints every {@code checkpoint-every} steps and validation
 * at every epoch's end) on a thread of its own that steps only when the benchmark grants it steps,
 * so that its windows interleave with the other engines'. The hand-off uses the run's own stop
 * hook, asked before every step: a window of n steps is the time from the grant until the hook is
 * asked for the (n+1)-th time, so it holds n whole iterations of the loop.
 */
final class BaselineArm implements AutoCloseable {

  private final Semaphore granted = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Throwable failure;
  private int remaining;
  private int nextGrant;

  /**
   * Starts the run and waits until it is ready for its first step (data split, trainer built, first
   * checkpoint written).
   *
   * @param out the run's folder (steps.csv, checkpoints, result)
   */
  BaselineArm(BaselineSettings settings, FashionMnist data, Path out) {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    BaselineRun run = new BaselineRun(settings, data, out, this::beforeStep, quiet);
    this.thread =
        new Thread(
            () -> {
              try {
                run.run(false);
              } catch (Throwable t) {
                failure = t;
              } finally {
                done.release();
              }
            },
            "bench-baseline-arm");
    thread.setDaemon(true);
    thread.start();
    await();
  }

  /** The run's stop hook, on the run's thread: blocks between grants. */
  private boolean beforeStep() {
    if (remaining == 0) {
      done.release();
      granted.acquireUninterruptibly();
      if (stopping) {
        return true;
      }
      remaining = nextGrant;
    }
    remaining--;
    return false;
  }

  /** Runs {@code n} iterations of the loop and returns their wall time in nanoseconds. */
  long run(int n) {
    nextGrant = n;
    long t0 = System.nanoTime();
    granted.release();
    await();
    return System.nanoTime() - t0;
  }

  private void await() {
    done.acquireUninterruptibly();
    if (failure != null) {
      throw new IllegalStateException("the baseline run failed", failure);
    }
  }

  /** Stops the run (it writes its result and last checkpoint, as after Ctrl-C). */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    granted.release();
    thread.join();
  }
}
