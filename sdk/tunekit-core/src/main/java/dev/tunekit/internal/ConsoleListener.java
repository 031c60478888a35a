package dev.tunekit.internal;

import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.Run;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;

import dev.tunekit.spi.RemoteJob;
import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain-text progress: {@code [#########-----------]  45%  running  step 45/100  loss 0.5321  val 0.6110}.
 * (me.tongfei:progressbar needs a terminal for in-place drawing and prints a warning per bar without
 * one; this renders the same information with carriage returns on a terminal and as whole lines in a log.)
 */
public final class ConsoleListener implements RunListener {
  private static final Pattern STEP = Pattern.compile("[Ss]tep\\s+(\\d+)\\s*/\\s*(\\d+)");
  private static final int WIDTH = 24;
  private final PrintStream out;
  private final boolean inPlace;
  private final boolean results;
  /** The job's state as last reported; null until the first {@link #onStatus}, and nothing is drawn before it. */
  private String state;
  private long step = -1;
  private long totalSteps = -1;
  private OptionalDouble loss = OptionalDouble.empty();
  private OptionalDouble validLoss = OptionalDouble.empty();
  private String lastLine = "";
  private boolean drawn;
  private String loggedState = "";
  private long loggedTenth = -2;

  public ConsoleListener(PrintStream out, boolean inPlace) {
    this(out, inPlace, true);
  }

  /** With {@code results} false, the end is the one-line outcome only: no comparison table, no gate line. */
  public ConsoleListener(PrintStream out, boolean inPlace, boolean results) {
    this.out = out;
    this.inPlace = inPlace;
    this.results = results;
  }

  @Override
  public synchronized void onStatus(RemoteJob job) {
    state = job.status().raw();
    draw();
  }

  @Override
  public synchronized void onProviderPaused(String provider, java.time.Instant until) {
    clearLine();
    out.println("Provider " + provider + " is failing; calls to it are paused until "
        + java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(until.atZone(java.time.ZoneId.systemDefault())
            .toLocalTime().withNano(0)) + ". The run waits and goes on then.");
    if (inPlace) {
      drawn = false;
      lastLine = "";
    }
    draw();
  }

  @Override
  public synchronized void onEvent(JobEvent event) {
    Matcher m = STEP.matcher(event.message());
    if (m.find()) {
      step = Math.max(step, Long.parseLong(m.group(1)));
      totalSteps = Long.parseLong(m.group(2));
    }
    if (!"info".equalsIgnoreCase(event.level())) {
      clearLine();
      out.println(event.level().toUpperCase(Locale.ROOT) + ": " + event.message());
      if (inPlace) {
        drawn = false;
        lastLine = ""; // redraw the bar below the message
      }
    }
    draw();
  }

  @Override
  public synchronized void onMetric(MetricPoint point) {
    step = Math.max(step, point.step());
    if (point.trainLoss().isPresent()) {
      loss = point.trainLoss();
    }
    if (point.validLoss().isPresent()) {
      validLoss = point.validLoss();
    }
    draw();
  }

  @Override
  public synchronized void onFinished(RunResult result) {
    clearLine();
    StringBuilder sb = new StringBuilder("Run ").append(result.runId()).append(' ')
        .append(result.succeeded() ? "succeeded" : result.state().name().toLowerCase(Locale.ROOT));
    result.fineTunedModel().ifPresent(m -> sb.append(": ").append(m));
    loss.ifPresent(l -> sb.append(String.format(Locale.ROOT, "  final loss %.4f", l)));
    sb.append("  (").append(Durations.format(result.waited())).append(')');
    out.println(sb);
    if (results) {
      result.evaluation().ifPresent(c -> out.print(c.format()));
      result.gate().ifPresent(g -> out.println("Gate " + (g.passed() ? "passed" : "BLOCKED") + ": " + g.gate()
          + " — " + g.message()));
    }
    if (result.state() == dev.tunekit.RunState.EVALUATION_FAILED || result.state() == dev.tunekit.RunState.TRAINED) {
      result.error().ifPresent(e -> out.println("Not evaluated: " + e));
    }
    out.flush();
    drawn = false;
  }

  public String line() {
    StringBuilder sb = new StringBuilder();
    if (totalSteps > 0 && step >= 0) {
      double f = Math.min(1.0, (double) step / totalSteps);
      int filled = (int) Math.round(f * WIDTH);
      sb.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3d%%  ", Math.round(f * 100)));
    }
    sb.append(state == null ? "waiting for the job's status" : state);
    if (step >= 0) {
      sb.append("  step ").append(step);
      if (totalSteps > 0) {
        sb.append('/').append(totalSteps);
      }
    }
    loss.ifPresent(l -> sb.append(String.format(Locale.ROOT, "  loss %.4f", l)));
    validLoss.ifPresent(l -> sb.append(String.format(Locale.ROOT, "  val %.4f", l)));
    return sb.toString();
  }

  private void draw() {
    if (state == null) {
      return; // steps seen before the job's state are shown with it, never under a made-up state
    }
    String line = line();
    if (line.equals(lastLine)) {
      return;
    }
    if (inPlace) {
      int pad = Math.max(0, lastLine.length() - line.length());
      out.print("\r" + line + " ".repeat(pad));
      drawn = true;
    } else {
      // In a log, one line per state change and per tenth of the progress, not one per step.
      long tenth = totalSteps > 0 && step >= 0 ? Math.min(10, step * 10 / totalSteps) : -1;
      if (state.equals(loggedState) && tenth == loggedTenth && (tenth >= 0 || loss.isPresent())) {
        return;
      }
      loggedState = state;
      loggedTenth = tenth;
      out.println(line);
    }
    out.flush();
    lastLine = line;
  }

  private void clearLine() {
    if (inPlace && drawn) {
      out.print("\r" + " ".repeat(lastLine.length()) + "\r");
    }
  }
}
