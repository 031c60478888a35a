package dev.tunekit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, which every benchmark prints beside its figures (the machine may be shared). */
final class LoadAverage {
  private LoadAverage() {}

  /** The 1, 5 and 15 minute load averages as {@code 1.23/2.34/3.45}, or {@code unavailable} off Linux. */
  static String now() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + "/" + f[1] + "/" + f[2];
    } catch (IOException | RuntimeException e) {
      return "unavailable";
    }
  }
}
