package io.jitsparse.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a signalled JVM (Ctrl-C, SIGTERM) open until the command has finished writing its results:
 * the JVM exits as soon as its shutdown hooks return, whatever the main thread is doing. The hook
 * runs {@code onSignal} (for example, asking a run to stop) and then waits, at most {@code limit},
 * for {@link #release()}.
 */
final class ShutdownHold {

  private final CountDownLatch released = new CountDownLatch(1);
  private final Thread hook;

  private ShutdownHold(String name, Duration limit, Runnable onSignal) {
    this.hook =
        new Thread(
            () -> {
              onSignal.run();
              try {
                released.await(limit.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name);
  }

  /** Installs the hook. */
  static ShutdownHold install(String name, Duration limit, Runnable onSignal) {
    ShutdownHold hold = new ShutdownHold(name, limit, onSignal);
    Runtime.getRuntime().addShutdownHook(hold.hook);
    return hold;
  }

  /** Lets a waiting hook return; removes the hook when no shutdown is under way. */
  void release() {
    released.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running and has just been released
    }
  }
}
