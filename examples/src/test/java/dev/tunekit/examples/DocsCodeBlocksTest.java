package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Tunekit;
import dev.tunekit.internal.ConfigLoader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fenced code block in {@code README.md}, {@code docs/*.md}, {@code sdk/*}{@code /README.md} and
 * {@code trainers/*}{@code /README.md} is
 * executed as written, so no documentation example can rot silently.
 *
 * <ul>
 *   <li>{@code bash}/{@code sh}: run by {@code bash -e} in a fresh temporary directory laid out like a
 *       clone: the real launcher and scripts under {@code jshell-scripts/}, {@code examples/} (the bundled
 *       data), and the built jars under {@code sdk/…/target/}. The launcher's class path record is this
 *       test's class path, so it starts JShell at once instead of building the SDK.
 *   <li>{@code java}: JShell snippets. All of them run in one {@code jshell} (the launcher's startup
 *       imports, this module's class path, as {@link JShellScriptsTest} does) in a directory holding
 *       fixtures: {@code train.jsonl}, {@code heldout.jsonl} (slices of the bundled query-DSL data) and a
 *       {@code tunekit.yaml} on the {@code local} provider. A snippet fails on any compile error or
 *       exception.
 *   <li>{@code yaml}: a config, loaded by Tunekit's config loader and built into a {@link Tunekit} with
 *       the environment variables it references supplied.
 * </ul>
 *
 * <p>Anything else needs an explicit, visible annotation on the line before the block:
 * {@code <!-- not run: REASON -->} (needs network, credentials, or is this very build; listed as skipped)
 * or {@code <!-- fragment: REASON -->} (a class skeleton, package listing or diagram; counted). A block
 * with neither a runner nor an annotation fails the test.
 */
class DocsCodeBlocksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern FENCE = Pattern.compile("^```([A-Za-z0-9_+-]*)\\s*$");
  private static final Pattern ANNOTATION = Pattern.compile("^<!--\\s*(not run|fragment):\\s*(.+?)\\s*-->\\s*$");
  /** An excerpt of a compiled source file, kept in sync by that module's own test (ReadmeExampleTest). */
  private static final Pattern EXCERPT = Pattern.compile("^<!-- from (\\S+) -->\\s*$");
  /** Values for the {@code ${VAR}} references in documented configs; none is a real credential. */
  private static final Map<String, String> DOC_ENV = Map.of("OPENAI_API_KEY", "sk-docs-test-not-a-key",
      "AZURE_OPENAI_API_KEY", "azure-docs-test-not-a-key",
      "BEDROCK_ROLE_ARN", "arn:aws:iam::123456789012:role/DocsTest", "TOGETHER_API_KEY", "together-docs-test-not-a-key",
      "FIREWORKS_API_KEY", "fireworks-docs-test-not-a-key", "FIREWORKS_ACCOUNT_ID", "docs-test-account");

  /** Each block's output, kept after the run (surefire's working directory is the module). */
  private static final Path LOGS = Path.of("target", "docs-code-blocks");

  /** A shell block that runs the quickstart (its output is checked by {@link QuickstartOutput}). */
  private static final Pattern QUICKSTART = Pattern.compile("tunekit quickstart\\.jsh(?:[^\\n]*--out\\s+(\\S+))?");

  @TempDir Path tmp;
  private final Map<Block, Double> snippetSeconds = new LinkedHashMap<>();
  private int quickstartsChecked;

  enum Kind { SHELL, JSHELL, YAML, NOT_RUN, FRAGMENT, EXCERPT, UNHANDLED }

  record Block(String file, int line, String lang, String body, Kind kind, String reason) {
    String where() {
      return file + ":" + line + " (```" + lang + ")";
    }
  }

  /** The fenced blocks of one Markdown file, each classified by its language and annotation. */
  static List<Block> blocks(String file, String markdown) {
    List<Block> out = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher open = FENCE.matcher(lines[i]);
      if (!open.matches()) {
        continue;
      }
      String lang = open.group(1).toLowerCase(java.util.Locale.ROOT);
      int start = i;
      StringBuilder body = new StringBuilder();
      for (i++; i < lines.length && !lines[i].strip().equals("```"); i++) {
        body.append(lines[i]).append('\n');
      }
      if (i >= lines.length) {
        throw new AssertionError(file + ":" + (start + 1) + ": code block is never closed");
      }
      int prev = start - 1;
      while (prev >= 0 && lines[prev].isBlank()) {
        prev--;
      }
      Matcher note = prev >= 0 ? ANNOTATION.matcher(lines[prev].strip()) : null;
      Matcher excerpt = prev >= 0 ? EXCERPT.matcher(lines[prev].strip()) : null;
      Kind kind;
      String reason = "";
      if (excerpt != null && excerpt.matches()) {
        kind = Kind.EXCERPT;
        reason = "excerpt of " + excerpt.group(1);
      } else if (note != null && note.matches()) {
        kind = note.group(1).equals("not run") ? Kind.NOT_RUN : Kind.FRAGMENT;
        reason = note.group(2);
      } else {
        kind = switch (lang) {
          case "bash", "sh", "shell" -> Kind.SHELL;
          case "java" -> Kind.JSHELL;
          case "yaml", "yml" -> Kind.YAML;
          default -> Kind.UNHANDLED;
        };
      }
      out.add(new Block(file, start + 1, lang, body.toString(), kind, reason));
    }
    return out;
  }

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    try (Stream<Path> s = Files.list(ROOT.resolve("sdk"))) {
      s.map(p -> p.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(docs::add);
    }
    try (Stream<Path> s = Files.list(ROOT.resolve("trainers"))) {
      s.map(p -> p.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(docs::add);
    }
    return docs;
  }

  @Test
  void aBlockWithoutARunnerOrAnAnnotationIsUnhandledAndAnnotationsAreRead() {
    List<Block> b = blocks("x.md", """
        text
        ```
        a diagram
        ```
        <!-- fragment: a class skeleton -->
        ```java
        class A {
        ```
        <!-- not run: needs OPENAI_API_KEY -->

        ```bash
        curl https://api.openai.com
        ```
        ```yaml
        provider: local
        ```
        """);
    assertThat(b).extracting(Block::kind)
        .containsExactly(Kind.UNHANDLED, Kind.FRAGMENT, Kind.NOT_RUN, Kind.YAML);
    assertThat(b.get(2).reason()).isEqualTo("needs OPENAI_API_KEY");
    assertThat(b.get(2).line()).isEqualTo(11);
  }

  @Test
  void aSnippetThatThrowsOrDoesNotCompileFailsAndTheNextOneStillRuns() throws Exception {
    List<Block> b = blocks("x.md", """
        ```java
        if (true) throw new IllegalStateException("boom");
        ```
        ```java
        int broken = ;
        ```
        ```java
        System.out.println(Files.exists(Path.of("tunekit.yaml")));
        ```
        """);

    List<String> failures = jshell(b, "jshell-self-test.log");

    assertThat(failures).hasSize(2);
    assertThat(failures.get(0)).startsWith("x.md:1 ").contains("IllegalStateException");
    assertThat(failures.get(1)).startsWith("x.md:4 ").contains("Error:");
    assertThat(Files.readString(LOGS.resolve("jshell-self-test.log"))).contains("true");
  }

  @Test
  void everyCodeBlockInTheDocsRunsAsWrittenOrIsVisiblyAnnotated() throws Exception {
    long started = System.nanoTime();
    List<Block> all = new ArrayList<>();
    for (Path doc : documents()) {
      all.addAll(blocks(ROOT.relativize(doc).toString(), Files.readString(doc)));
    }
    List<String> failures = new ArrayList<>();
    for (Block b : all) {
      Path excerptOf = ROOT.resolve(b.file()).resolveSibling(b.reason().replaceFirst("^excerpt of ", ""));
      if (b.kind() == Kind.EXCERPT && !Files.isRegularFile(excerptOf)) {
        failures.add(b.where() + ": is marked as an excerpt of " + excerptOf + ", which does not exist");
      }
      if (b.kind() == Kind.UNHANDLED) {
        failures.add(b.where() + ": no runner for this block and no annotation; mark it with"
            + " <!-- fragment: why --> or <!-- not run: why --> on the line before, or make it runnable");
      }
    }
    Map<Block, Double> seconds = new LinkedHashMap<>();
    for (Block b : all) {
      long t0 = System.nanoTime();
      try {
        switch (b.kind()) {
          case SHELL -> shell(b);
          case YAML -> yaml(b);
          default -> { }
        }
      } catch (AssertionError | Exception e) {
        failures.add(b.where() + ": " + e.getMessage());
      }
      seconds.put(b, (System.nanoTime() - t0) / 1e9);
    }
    List<Block> snippets = all.stream().filter(b -> b.kind() == Kind.JSHELL).toList();
    long t0 = System.nanoTime();
    failures.addAll(jshell(snippets, "jshell-snippets.log"));
    double jshellSeconds = (System.nanoTime() - t0) / 1e9;

    StringBuilder summary = new StringBuilder("Documentation code blocks:\n");
    for (Block b : all) {
      summary.append(String.format("  %-10s %-48s %s%n", switch (b.kind()) {
        case SHELL, YAML -> String.format("ran %4.1fs", seconds.get(b));
        case JSHELL -> String.format("ran %4.1fs", snippetSeconds.getOrDefault(b, Double.NaN));
        case NOT_RUN -> "not run";
        case FRAGMENT -> "fragment";
        case EXCERPT -> "excerpt";
        case UNHANDLED -> "UNHANDLED";
      }, b.where(), b.reason()));
    }
    Map<Kind, Long> counts = new LinkedHashMap<>();
    all.forEach(b -> counts.merge(b.kind(), 1L, Long::sum));
    summary.append(String.format("  %d blocks: %s; the JShell snippets together %.1f s; in all %.1f s; logs in %s%n",
        all.size(), counts, jshellSeconds, (System.nanoTime() - started) / 1e9, LOGS.toAbsolutePath()));
    System.out.print(summary);

    assertThat(failures).as(summary.toString()).isEmpty();
    assertThat(all).as("the docs have code blocks and this test found them").hasSizeGreaterThan(10);
    assertThat(quickstartsChecked).as("the README's first command (the quickstart) ran here and its output was checked")
        .isPositive();
  }

  // ---- yaml: Tunekit's config loader, then a Tunekit built from it --------------------------------------

  private void yaml(Block b) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("yaml-" + b.line() + "-" + b.file().replace('/', '_')));
    Path file = Files.writeString(dir.resolve("tunekit.yaml"), b.body());
    ConfigLoader.load(file, DOC_ENV);
    try (Tunekit tk = Tunekit.builder().configFile(file).env(DOC_ENV).build()) {
      assertThat(tk.provider()).isNotBlank();
    }
  }

  // ---- shell: bash -e in a fresh directory laid out like a clone ----------------------------------------

  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** A fresh directory with the launcher, the scripts, the bundled data and the built jars. */
  private Path cloneLikeDirectory(String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path scripts = Files.createDirectories(dir.resolve("jshell-scripts"));
    try (Stream<Path> s = Files.list(ROOT.resolve("jshell-scripts"))) {
      for (Path p : s.toList()) {
        Files.copy(p, scripts.resolve(p.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Files.createSymbolicLink(dir.resolve("examples"), ROOT.resolve("examples"));
    Files.createSymbolicLink(dir.resolve("trainers"), ROOT.resolve("trainers"));
    // The launcher's build record: the SDK class path, newer than every source in this directory.
    Path state = Files.createDirectories(dir.resolve("sdk/tunekit-all/target/jshell"));
    Path pom = Files.writeString(dir.resolve("pom.xml"), "");
    Files.setLastModifiedTime(pom, FileTime.from(Instant.now().minusSeconds(60)));
    Files.writeString(state.resolve("classpath.txt"), classPath());
    // Scripts compiled by the launcher are shared by every such directory and JShellScriptsTest (same class path,
    // same scripts: same keys), as one clone's launcher reuses them from start to start.
    Path compiled = Files.createDirectories(ROOT.resolve("examples/target/jshell-scripts-cache"));
    Files.createSymbolicLink(state.resolve("scripts"), compiled);
    // The launcher runs JShell with tunekit-all's classes on the tool's own class path (--execution tunekit).
    Path allClasses = ROOT.resolve("sdk/tunekit-all/target/classes");
    if (Files.isDirectory(allClasses)) {
      Files.createSymbolicLink(dir.resolve("sdk/tunekit-all/target/classes"), allClasses);
    }
    try (Stream<Path> s = Files.list(ROOT.resolve("sdk"))) {
      for (Path module : s.toList()) {
        Path target = module.resolve("target");
        if (!Files.isDirectory(target)) {
          continue;
        }
        try (Stream<Path> jars = Files.list(target)) {
          for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
            Path link = dir.resolve("sdk").resolve(module.getFileName()).resolve("target").resolve(jar.getFileName());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, jar);
          }
        }
      }
    }
    return dir;
  }

  private void shell(Block b) throws IOException, InterruptedException {
    for (Matcher m = Pattern.compile("sdk/[\\w.-]+/target/[\\w.-]+\\.jar").matcher(b.body()); m.find(); ) {
      if (!Files.isRegularFile(ROOT.resolve(m.group()))) {
        throw new AssertionError("uses " + m.group() + ", which the package phase builds: run this test through"
            + " `mvn -B verify` (as CI does) or `mvn package`, not `mvn test`");
      }
    }
    Path dir = cloneLikeDirectory("sh-" + b.line() + "-" + b.file().replace('/', '_'));
    Path script = Files.writeString(tmp.resolve("block-" + b.line() + ".sh"), b.body());
    Path log = Files.createDirectories(LOGS).resolve(b.file().replace('/', '_') + "-" + b.line() + ".log");
    ProcessBuilder pb = new ProcessBuilder("bash", "-e", script.toString()).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().remove("OPENAI_API_KEY");
    Process p = pb.start();
    boolean done = p.waitFor(4, TimeUnit.MINUTES);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    try (Stream<Path> s = Files.walk(dir)) {   // the links into the repository, before @TempDir's cleanup
      for (Path link : s.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
    String out = Files.readString(log);
    if (!done || p.exitValue() != 0) {
      throw new AssertionError((done ? "exited with " + p.exitValue() : "did not finish in 4 minutes") + ":\n"
          + tail(out));
    }
    Matcher quickstart = QUICKSTART.matcher(b.body());
    if (quickstart.find()) {
      QuickstartOutput.check(out, dir.resolve(quickstart.group(1) != null ? quickstart.group(1) : "quickstart-output"));
      quickstartsChecked++;
    }
  }

  // ---- java: every snippet in one jshell, against fixtures -------------------------------------------------

  private List<String> jshell(List<Block> snippets, String logName) throws IOException, InterruptedException {
    if (snippets.isEmpty()) {
      return List.of();
    }
    Path dir = Files.createDirectories(tmp.resolve("jshell"));
    Path data = ROOT.resolve("examples/data/nl2query");
    // A slice of the bundled query-DSL data keeps the README's whole workflow to a few seconds.
    Files.write(dir.resolve("train.jsonl"), Files.readAllLines(data.resolve("train.jsonl")).subList(0, 150));
    Files.write(dir.resolve("heldout.jsonl"), Files.readAllLines(data.resolve("heldout.jsonl")).subList(0, 20));
    Files.writeString(dir.resolve("tunekit.yaml"), """
        provider: local
        providers:
          local: { stepDelay: 0ms, model: local-base }
        polling: { initialInterval: 100ms, maxInterval: 500ms }
        """);
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < snippets.size(); i++) {
      script.append("System.out.println(\"@@BLOCK ").append(i).append(" \" + System.currentTimeMillis());\n");
      script.append(snippets.get(i).body()).append('\n');
    }
    script.append("System.out.println(\"@@BLOCK end \" + System.currentTimeMillis());\n/exit\n");
    Path file = Files.writeString(tmp.resolve("snippets.jsh"), script);
    Path log = Files.createDirectories(LOGS).resolve(logName);
    // As the launcher opens an interactive session: its JVM options, Tunekit's Shell, the local engine.
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(javaBin));
    command.addAll(LauncherFile.options("shell_jvm"));
    command.addAll(List.of("-cp", classPath(), "-Dtunekit.home=" + ROOT, "-Djava.awt.headless=true",
        "dev.tunekit.shell.Shell"));
    command.addAll(LauncherFile.options("execution_local"));
    // JShell compiles against the launcher's short class path (its api_jars) plus, as the docs that use the
    // examples' classes say (TUNEKIT_CLASSPATH=examples/target/classes), this module's classes; the JVM runs with
    // all of it.
    Pattern api = LauncherFile.apiJars();
    String examples = ROOT.resolve("examples/target/classes").toString();
    String compileClassPath = java.util.Arrays.stream(classPath().split(File.pathSeparator))
        .filter(e -> api.matcher(e).find() || e.equals(examples))
        .collect(java.util.stream.Collectors.joining(File.pathSeparator));
    command.addAll(List.of("--class-path", compileClassPath, "--startup", "DEFAULT",
        "--startup", ROOT.resolve("jshell-scripts/startup.jsh").toString(), file.toString()));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(DOC_ENV);
    Process p = pb.start();
    if (!p.waitFor(4, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return List.of("the JShell snippets did not finish in 4 minutes:\n" + tail(Files.readString(log)));
    }
    String out = Files.readString(log);
    Map<String, Integer> at = new LinkedHashMap<>();
    Map<String, Long> millis = new LinkedHashMap<>();
    for (Matcher m = Pattern.compile("(?m)^@@BLOCK (\\d+|end) (\\d+)$").matcher(out); m.find(); ) {
      at.putIfAbsent(m.group(1), m.start());
      millis.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
    }
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < snippets.size(); i++) {
      String next = i + 1 < snippets.size() ? String.valueOf(i + 1) : "end";
      int from = at.getOrDefault(String.valueOf(i), -1);
      int to = at.getOrDefault(next, -1);
      if (from >= 0 && to >= 0) {
        snippetSeconds.put(snippets.get(i), (millis.get(next) - millis.get(String.valueOf(i))) / 1e3);
      }
      if (from < 0 || to < 0) {
        failures.add(snippets.get(i).where() + ": did not run to its end (an unbalanced snippet?):\n"
            + tail(from < 0 ? out : out.substring(from)));
        continue;
      }
      String section = out.substring(from, to);
      // A script's compile errors print as "Error:" and its exceptions as "Exception …" (or "|  …"
      // with another feedback mode); an uncaught exception on another thread as "Exception in thread".
      if (Pattern.compile("(?m)^(\\|  )?(Error:|Exception )").matcher(section).find()) {
        failures.add(snippets.get(i).where() + ": failed in JShell:\n" + tail(section));
      }
    }
    return failures;
  }


  private static String tail(String out) {
    String[] lines = out.split("\n");
    return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
  }
}
