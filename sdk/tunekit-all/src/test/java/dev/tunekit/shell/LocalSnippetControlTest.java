package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;

/** Ctrl-C in an interactive session (the launcher's local engine) ends the snippet, not what it started. */
@org.junit.jupiter.api.Timeout(60)
class LocalSnippetControlTest {

  private static String eval(JShell shell, String code) {
    List<SnippetEvent> events = shell.eval(code);
    SnippetEvent last = events.get(events.size() - 1);
    return last.exception() != null ? "threw " + last.exception().getMessage() : last.value();
  }

  @Test
  void ctrlCInterruptsTheSnippetAndLeavesTheThreadsItStartedRunning() {
    ScheduledExecutorService ctrlC = Executors.newSingleThreadScheduledExecutor();
    try (JShell shell = JShell.builder().executionEngine(new ShellExecution(), Map.of("engine", "local")).build()) {
      eval(shell, "Runnable sleeper = () -> { while (true) { try { Thread.sleep(20); } catch (InterruptedException e) {"
          + " return; } } };");
      eval(shell, "Thread before = new Thread(sleeper, \"before\");"); // eval takes one snippet at a time
      eval(shell, "before.setDaemon(true);");
      eval(shell, "before.start();");
      // Like run.await(): starts a helper thread, then waits; Ctrl-C (pressed until the snippet ends: the first
      // presses may come while JShell still compiles it) comes while it waits.
      var presses = ctrlC.scheduleWithFixedDelay(shell::stop, 300, 300, TimeUnit.MILLISECONDS);
      String waited = eval(shell, "{ Thread during = new Thread(sleeper, \"during\"); during.setDaemon(true);"
          + " during.start(); try { Thread.sleep(30_000); } catch (InterruptedException e) {"
          + " throw new IllegalStateException(\"stopped waiting; the job goes on\"); } }");
      presses.cancel(false);

      assertThat(waited).isEqualTo("threw stopped waiting; the job goes on");
      assertThat(eval(shell, "before.isAlive()")).isEqualTo("true");
      assertThat(eval(shell, "Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(\"during\")"
          + " && t.isAlive())")).as("a thread the stopped snippet started").isEqualTo("true");
    } finally {
      ctrlC.shutdownNow();
    }
  }

  @Test
  void ctrlCEndsABusyLoopThatIgnoresInterrupts() {
    ScheduledExecutorService ctrlC = Executors.newSingleThreadScheduledExecutor();
    try (JShell shell = JShell.builder().executionEngine(new ShellExecution(), Map.of("engine", "local")).build()) {
      var presses = ctrlC.scheduleWithFixedDelay(shell::stop, 300, 300, TimeUnit.MILLISECONDS);
      List<SnippetEvent> events = shell.eval("while (true) { }");
      presses.cancel(false);

      assertThat(events).isNotEmpty(); // eval returned: the loop was stopped (JShell reports it as stopped)
      assertThat(eval(shell, "1 + 1")).isEqualTo("2");
    } finally {
      ctrlC.shutdownNow();
    }
  }
}
