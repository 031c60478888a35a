package dev.tunekit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations as written in {@code tunekit.yaml}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601. */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  static Optional<Duration> parse(String text) {
    String s = text.trim();
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return Optional.of(Duration.parse(s.toUpperCase(Locale.ROOT)));
      }
      Matcher m = SIMPLE.matcher(s);
      if (!m.matches()) {
        return Optional.empty();
      }
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": return Optional.of(Duration.ofMillis(n));
        case "s": return Optional.of(Duration.ofSeconds(n));
        case "m": return Optional.of(Duration.ofMinutes(n));
        case "h": return Optional.of(Duration.ofHours(n));
        default: return Optional.of(Duration.ofDays(n));
      }
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** A short human form such as {@code 1m05s} or {@code 250ms}. */
  static String format(Duration d) {
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
