package dev.tunekit.shell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.execution.DirectExecutionControl;

/**
 * JShell's in-process engine, with a stop (Ctrl-C) that ends the snippet and nothing else.
 *
 * <p>The JDK's {@code local} engine runs each snippet on a thread of a new thread group and stops the whole
 * group on Ctrl-C — every thread the snippet started as well: the HTTP client's connection threads, an
 * executor, a local server. A session whose Tunekit lives on after Ctrl-C (README: "Ctrl-C during
 * {@code await()} stops the waiting, not the job") needs those threads. Here each snippet runs on a thread of
 * its own; Ctrl-C interrupts that thread ({@code await()} then ends with its one-line "still running" message)
 * and, only when it does not end within a second (a busy loop), stops it with {@link Thread#stop()} where the
 * JDK still supports that. Threads the snippet started keep running.
 */
final class LocalSnippetControl extends DirectExecutionControl {
  private static final long INTERRUPT_GRACE_MILLIS = 1_000;

  private volatile Thread running;

  @Override
  protected String invoke(Method doit) throws Exception {
    AtomicReference<Object> value = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread snippet = new Thread(() -> {
      try {
        value.set(doit.invoke(null));
      } catch (InvocationTargetException e) {
        failure.set(e.getCause());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "jshell-snippet");
    snippet.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    running = snippet;
    try {
      snippet.start();
      snippet.join();
    } finally {
      running = null;
    }
    Throwable f = failure.get();
    if (f instanceof ThreadDeath) {
      throw new StoppedException();
    }
    if (f != null) {
      throw new InvocationTargetException(f);
    }
    return valueString(value.get());
  }

  @Override
  @SuppressWarnings({"deprecation", "removal"}) // Thread.stop: the only way to end a busy loop, as JShell does
  public void stop() {
    Thread snippet = running;
    if (snippet == null) {
      return;
    }
    snippet.interrupt();
    try {
      snippet.join(INTERRUPT_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (snippet.isAlive()) {
      try {
        snippet.stop();
      } catch (UnsupportedOperationException e) {
        // Java 20 and later: the snippet keeps running until it looks at its interrupt flag
      }
    }
  }
}
