package dev.tunekit.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Parses and prints durations as written in {@code tunekit.yaml}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601. */
public final class Durations {

  private Durations() {}

  public static Optional<Duration> parse(String text) {
    return dev.tunekit.spi.ProviderSettings.parseDuration(text);
  }

  /** A short human form such as {@code 1m05s} or {@code 250ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = d.getSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
