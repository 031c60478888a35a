package dev.tunekit.internal;

import dev.tunekit.error.TunekitException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The async forms of the public API: each runs its blocking form as one task on the caller's {@link Executor}
 * (or Tunekit's own threads). Not an API.
 */
public final class Async {
  private Async() {}

  /**
   * {@code work} as one task on {@code executor}. Cancelling the returned future completes it as cancelled and
   * does not interrupt the task: what it started (an upload, a job's creation, a deployment) finishes and is
   * recorded in the ledger. An executor that refuses the task gives a future failed with a
   * {@link TunekitException}; nothing was started.
   */
  public static <T> CompletableFuture<T> supply(Supplier<T> work, Executor executor) {
    return run(work, executor, false);
  }

  /**
   * Like {@link #supply}, for a task that only waits (such as {@code await}): cancelling the future also
   * interrupts the thread running it, which stops the waiting (the job goes on; nothing is cancelled remotely).
   */
  public static <T> CompletableFuture<T> interruptible(Supplier<T> work, Executor executor) {
    return run(work, executor, true);
  }

  private static <T> CompletableFuture<T> run(Supplier<T> work, Executor executor, boolean interruptOnCancel) {
    Objects.requireNonNull(work, "work");
    Objects.requireNonNull(executor, "executor");
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread[] runner = new Thread[1];
    Runnable task = () -> {
      synchronized (runner) {
        if (f.isDone()) {
          return; // cancelled before it started: nothing is done
        }
        runner[0] = Thread.currentThread();
      }
      try {
        f.complete(work.get());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      } finally {
        synchronized (runner) {
          runner[0] = null;
          if (interruptOnCancel && f.isCancelled()) {
            Thread.interrupted(); // the cancel's interrupt must not reach the executor's next task
          }
        }
      }
    };
    if (interruptOnCancel) {
      f.whenComplete((r, e) -> {
        if (f.isCancelled()) {
          synchronized (runner) {
            if (runner[0] != null) {
              runner[0].interrupt();
            }
          }
        }
      });
    }
    try {
      executor.execute(task);
    } catch (RuntimeException refused) {
      f.completeExceptionally(new TunekitException("The executor refused the task (" + refused + "); nothing was"
          + " started. Pass an executor that accepts tasks, or call the blocking form.", refused));
    }
    return f;
  }
}
