package dev.tunekit.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import jdk.jshell.tool.JavaShellToolBuilder;

/**
 * How {@code jshell-scripts/tunekit SCRIPT.jsh} runs a script: as a compiled Java program when the script
 * is plain Java statements (every shipped script is), else in JShell, exactly as before.
 *
 * <p>JShell compiles each snippet with javac when the script starts — about 2.5 s of a 2-core machine
 * before the first line of output, every time — and then runs it in a second JVM. Here the script is
 * translated once ({@link ScriptTranslator}), compiled, and kept in a cache keyed by the SHA-256 of the
 * scripts, the class path and the Java version; later starts load the compiled class and run it in this
 * JVM. A script that needs JShell (commands other than {@code /exit}, top-level variables shared with
 * methods, anything that does not compile as a program) is remembered as such and handed to the JShell
 * tool in this JVM with the launcher's JShell arguments.
 *
 * <p>One difference from JShell, on purpose: an uncaught exception ends the script (JShell would go on
 * with the next snippet, usually into errors about what the failed one did not define). It is shown as
 * JShell shows it — one line for a Tunekit exception, which already says what, where and how to fix,
 * the stack trace for anything else — and the launcher's {@code exit.jsh} then ends the run with status 70.
 *
 * <p>Arguments: {@code CACHE_DIR STARTUP.jsh SCRIPT.jsh [MORE.jsh...] -- JSHELL_ARGS...} (the arguments
 * for the JShell fallback). Not an API: the launcher's.
 */
public final class ScriptRunner {
  /** The cache's layout; the key also covers the translator's own class files. */
  private static final String FORMAT = "tunekit-script-1";
  private static final int KEEP_PROGRAMS = 64;

  private ScriptRunner() {}

  /** Runs the launcher's script; see the class comment for the arguments. Exits the JVM with the script's status. */
  public static void main(String[] argv) throws Throwable {
    int split = Arrays.asList(argv).indexOf("--");
    if (split < 3) {
      System.err.println("usage: ScriptRunner CACHE_DIR STARTUP.jsh SCRIPT.jsh [MORE.jsh...] -- JSHELL_ARGS...");
      System.exit(2);
    }
    Path cache = Path.of(argv[0]);
    ScriptTranslator.Source startup = read(Path.of(argv[1]));
    List<ScriptTranslator.Source> scripts = new ArrayList<>();
    for (int i = 2; i < split; i++) {
      scripts.add(read(Path.of(argv[i])));
    }
    String[] jshellArgs = Arrays.copyOfRange(argv, split + 1, argv.length);
    Optional<Path> program = program(cache, startup, scripts);
    if (program.isEmpty()) {
      flush();
      System.exit(JavaShellToolBuilder.builder().start(jshellArgs));
    }
    run(program.get(), ScriptTranslator.className(scripts.get(0).name()));
    exit(0);
  }

  /** Ends a compiled script with {@code status}, as JShell's {@code /exit status}. Called by compiled scripts. */
  public static void exit(int status) {
    flush();
    System.exit(status);
  }

  /**
   * Shows an exception that a compiled script did not catch, as JShell (with Tunekit's execution engine)
   * shows it: {@code |  Exception type: message}, then the stack trace unless it is a Tunekit exception
   * (kept with {@code TUNEKIT_DEBUG=1}). Called by compiled scripts.
   */
  public static void uncaught(Throwable e) {
    PrintStream err = System.err;
    String message = e.getMessage();
    err.println("|  Exception " + e.getClass().getName() + (message == null ? "" : ": " + message));
    if (!e.getClass().getName().startsWith("dev.tunekit.") || Boolean.getBoolean("tunekit.debug")) {
      for (StackTraceElement frame : e.getStackTrace()) {
        if (frame.getClassName().startsWith("jdk.internal.") || frame.getClassName().equals(ScriptRunner.class.getName())
            || frame.getClassName().startsWith("java.lang.reflect.")) {
          continue;
        }
        err.println("|        at " + frame);
      }
      for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
        err.println("|  Caused by: " + cause);
      }
    }
    err.flush();
  }

  /** The compiled program's class directory, compiling it on first use; empty when the scripts need JShell. */
  static Optional<Path> program(Path cache, ScriptTranslator.Source startup, List<ScriptTranslator.Source> scripts)
      throws IOException {
    String classPath = System.getProperty("java.class.path");
    Path dir = cache.resolve(key(startup, scripts, classPath));
    if (Files.isDirectory(dir.resolve("program"))) {
      touch(dir);
      return Optional.of(dir.resolve("program"));
    }
    if (Files.exists(dir.resolve("jshell.txt"))) {
      debug(scripts.get(0).name() + " runs in JShell: " + Files.readString(dir.resolve("jshell.txt")).strip());
      return Optional.empty();
    }
    long started = System.nanoTime();
    Files.createDirectories(cache);
    Path work = Files.createTempDirectory(cache, "new-");
    try {
      StringBuilder refusal = new StringBuilder();
      Optional<ScriptTranslator.Program> java = ScriptTranslator.translate(startup, scripts, refusal);
      if (java.isPresent()) {
        Files.writeString(work.resolve(java.get().className() + ".java"), java.get().code());
        compile(java.get(), classPath, work.resolve("program"), refusal);
      }
      if (!Files.isDirectory(work.resolve("program"))) {
        Files.writeString(work.resolve("jshell.txt"), refusal + "\n");
      }
      publish(work, dir);
      prune(cache);
    } finally {
      deleteTree(work);
    }
    if (Files.isDirectory(dir.resolve("program"))) {
      debug("compiled " + scripts.get(0).name() + " in " + (System.nanoTime() - started) / 1_000_000 + " ms into " + dir);
      return Optional.of(dir.resolve("program"));
    }
    debug(scripts.get(0).name() + " runs in JShell: " + Files.readString(dir.resolve("jshell.txt")).strip());
    return Optional.empty();
  }

  private static void compile(ScriptTranslator.Program program, String classPath, Path out, StringBuilder refusal)
      throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path classes = Files.createDirectories(out.resolveSibling("classes"));
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
      // Named after the script: the class is not public, so javac does not ask for a matching file name.
      JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + program.sourceName()),
          JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return program.code();
        }
      };
      List<String> options = List.of("-proc:none", "-g", "-nowarn", "-Xlint:none", "-classpath", classPath);
      boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(source)).call();
      if (ok) {
        Files.move(classes, out);
      } else {
        refusal.append("it does not compile as a Java program: ").append(diagnostics.getDiagnostics().stream()
            .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
            .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(null)).limit(3)
            .collect(Collectors.joining("; ")));
      }
    }
  }

  private static void run(Path classes, String className) throws Throwable {
    URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ScriptRunner.class.getClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    Method main = loader.loadClass(className).getDeclaredMethod("main", String[].class);
    main.setAccessible(true); // the program's class is package-private
    try {
      main.invoke(null, (Object) new String[0]);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Moves a finished entry into place; when another launcher got there first, keeps theirs. */
  private static void publish(Path work, Path dir) throws IOException {
    Path entry = Files.createDirectory(work.resolve("entry"));
    for (String name : List.of("program", "jshell.txt")) {
      if (Files.exists(work.resolve(name))) {
        Files.move(work.resolve(name), entry.resolve(name));
      }
    }
    try (Stream<Path> java = Files.list(work)) {
      for (Path p : java.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        Files.move(p, entry.resolve(p.getFileName()));
      }
    }
    try {
      Files.move(entry, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Another launcher compiled the same script at the same time and published first (rename(2) answers
      // ENOTEMPTY, which Java reports as a plain FileSystemException): theirs is as good. Anything else is ours.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Keeps the most recently used programs; an edited script leaves its old program behind. */
  private static void prune(Path cache) throws IOException {
    List<Path> entries;
    try (Stream<Path> all = Files.list(cache)) {
      entries = all.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).collect(Collectors.toList());
    }
    if (entries.size() <= KEEP_PROGRAMS) {
      return;
    }
    entries.sort(Comparator.comparing(ScriptRunner::modified).reversed());
    for (Path old : entries.subList(KEEP_PROGRAMS, entries.size())) {
      deleteTree(old);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static void touch(Path dir) {
    try {
      Files.setLastModifiedTime(dir, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // only used to keep recently used programs when pruning
    }
  }

  static String key(ScriptTranslator.Source startup, List<ScriptTranslator.Source> scripts, String classPath) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      List<String> parts = new ArrayList<>(List.of(FORMAT, System.getProperty("java.version"), classPath));
      parts.add(startup.text());
      scripts.forEach(s -> parts.add(s.name() + "\n" + s.text()));
      for (String part : parts) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      // The translator itself: a changed translation never reuses programs the previous one compiled.
      for (Class<?> c : List.of(ScriptTranslator.class, ScriptRunner.class)) {
        try (var in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
          if (in != null) {
            sha.update(in.readAllBytes());
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ScriptTranslator.Source read(Path file) {
    try {
      return new ScriptTranslator.Source(file.getFileName().toString(), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void debug(String message) {
    if (Boolean.getBoolean("tunekit.debug")) {
      System.err.println("tunekit: " + message);
    }
  }

  private static void flush() {
    System.out.flush();
    System.err.flush();
  }
}
