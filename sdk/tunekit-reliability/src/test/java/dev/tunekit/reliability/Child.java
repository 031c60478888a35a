package dev.tunekit.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A {@link ChildMain} in its own JVM (small heap, fast start), with its output lines collected. */
final class Child {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  /** When each line was read ({@link System#nanoTime()} of this JVM), in step with {@link #lines}. */
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private Child(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          arrivals.add(System.nanoTime());
          lines.add(line);
        }
      } catch (IOException e) {
        // the child died: its output ends here
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code ChildMain args...}; its SDK log and standard error go to {@code log}. */
  static Child start(Path log, String... args) {
    return start(log, List.of(), args);
  }

  /**
   * Starts {@code ChildMain args...} with extra JVM options, such as
   * {@code -XX:ArchiveClassesAtExit=FILE} to write a class-data archive that later children load with
   * {@code -XX:SharedArchiveFile=FILE} (it halves their start-up on a busy machine).
   */
  static Child start(Path log, List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.addAll(jvmOptions);
    cmd.add("-D" + SdkLog.PROPERTY + "=" + log.toAbsolutePath());
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(ChildMain.class.getName());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(
          log.resolveSibling(log.getFileName() + ".stderr").toFile())).start();
      return new Child(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String classPath;

  /**
   * The test class path as plain jars: surefire hands its fork a manifest-only jar, and class-data
   * sharing refuses non-empty directories, so the test classes are packed into a jar once.
   */
  static synchronized String classPath() {
    if (classPath != null) {
      return classPath;
    }
    try {
      List<String> entries = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(e);
        if (e.endsWith(".jar") && java.nio.file.Files.isRegularFile(p)) {
          try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
            java.util.jar.Manifest mf = jar.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp != null && jar.size() <= 2) { // a manifest-only jar: its Class-Path is the real class path
              for (String url : cp.trim().split("\\s+")) {
                entries.add(Path.of(java.net.URI.create(url)).toString());
              }
              continue;
            }
          }
        }
        entries.add(e);
      }
      List<String> out = new ArrayList<>();
      for (String e : entries) {
        Path p = Path.of(e);
        if (java.nio.file.Files.isDirectory(p)) {
          out.add(jarOf(p).toString());
        } else if (java.nio.file.Files.exists(p)) {
          out.add(e);
        }
      }
      classPath = String.join(java.io.File.pathSeparator, out);
      return classPath;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path jarOf(Path dir) throws IOException {
    Path jar = java.nio.file.Files.createTempFile("child-classes-", ".jar");
    jar.toFile().deleteOnExit();
    try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar));
        java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(java.nio.file.Files::isRegularFile)::iterator) {
        out.putNextEntry(new java.util.jar.JarEntry(dir.relativize(f).toString().replace('\\', '/')));
        java.nio.file.Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  Process process() {
    return process;
  }

  /** The output so far. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * When this JVM read the child's first line starting with {@code prefix} ({@link System#nanoTime()},
   * comparable between children), or -1 if there is none.
   */
  long arrival(String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return arrivals.get(i);
      }
    }
    return -1;
  }

  /** The first output line starting with {@code prefix}, waiting up to {@code timeout} for it (empty if the child ended first). */
  Optional<String> await(String prefix, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      Optional<String> found = lines.stream().filter(l -> l.startsWith(prefix)).findFirst();
      if (found.isPresent()) {
        return found;
      }
      if (!process.isAlive()) {
        reader.join(1000);
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst();
      }
      Thread.sleep(2);
    }
    return Optional.empty();
  }

  /** SIGKILL (on Linux, {@link Process#destroyForcibly()} sends SIGKILL), then waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(1000);
  }

  /** Waits for the child to exit and returns its exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError("child did not finish within " + timeout + "; output: " + lines);
    }
    reader.join(1000);
    return process.exitValue();
  }
}
