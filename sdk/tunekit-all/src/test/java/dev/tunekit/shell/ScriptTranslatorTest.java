package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptTranslatorTest {
  private static final ScriptTranslator.Source STARTUP =
      new ScriptTranslator.Source("startup.jsh", "// imports\nimport dev.tunekit.*;\nimport java.time.*;\n");
  private static final ScriptTranslator.Source EXIT =
      new ScriptTranslator.Source("exit.jsh", "System.err.println(\"stopped\");\n/exit 70\n");

  @TempDir Path tmp;

  private static Optional<ScriptTranslator.Program> translate(String script, StringBuilder refusal) {
    return ScriptTranslator.translate(STARTUP, List.of(new ScriptTranslator.Source("my script.jsh", script), EXIT),
        refusal);
  }

  @Test
  void statementsKeepTheirLineNumbersAndMembersBecomeStatic() {
    StringBuilder refusal = new StringBuilder();
    String script = String.join("\n",
        "// a comment",
        "var list = List.of(1,",
        "    2);",
        "int twice(int n) { return 2 * n; }",
        "static int thrice(int n) { return 3 * n; }",
        "record P(int x) {}",
        "list.size() + 1",
        "System.out.println(twice(list.size()))",
        "/exit twice(1)", "");

    ScriptTranslator.Program p = translate(script, refusal).orElseThrow(() -> new AssertionError(refusal));

    assertThat(p.className()).isEqualTo("my_script_jsh");
    assertThat(p.sourceName()).isEqualTo("my script.jsh");
    List<String> lines = p.code().lines().toList();
    assertThat(lines.get(0)).contains("import java.util.*;").contains("import dev.tunekit.*;")
        .contains("import java.time.*;").contains("final class my_script_jsh").doesNotContain("public final");
    assertThat(lines.get(1)).isEqualTo("var list = List.of(1,");
    assertThat(lines.get(2)).isEqualTo("    2);");
    assertThat(lines.get(3)).isEmpty(); // the method moved out of main
    assertThat(lines.get(6)).isEqualTo("{ Object $value = (list.size() + 1); }");
    assertThat(lines.get(7)).isEqualTo("System.out.println(twice(list.size()));");
    assertThat(lines.get(8)).isEqualTo("dev.tunekit.shell.ScriptRunner.exit((int) (twice(1)));");
    assertThat(p.code()).contains("static int twice(int n)").contains("static int thrice(int n)")
        .doesNotContain("static static").contains("static record P(int x) {}");
  }

  @Test
  void launchersCompilingTheSameScriptAtOnceAllRunIt() throws Exception {
    // Two scripts started at once after an edit: both compile, one publishes, the other must use it.
    Path cache = tmp.resolve("shared-cache");
    var sources = List.of(new ScriptTranslator.Source("race.jsh", "int a = 1;\n/exit a\n"), EXIT);
    int n = 4;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      var start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Optional<Path>>> results = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return ScriptRunner.program(cache, STARTUP, sources);
        }));
      }
      start.countDown();
      java.util.Set<Path> programs = new java.util.HashSet<>();
      for (var r : results) {
        programs.add(r.get().orElseThrow());
      }
      assertThat(programs).hasSize(1);
      assertThat(programs.iterator().next().resolve("race_jsh.class")).exists();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void openBracketsStringsTextBlocksAndCommentsAreSeenAsOpen() {
    assertThat(ScriptTranslator.open("foo(1,\n")).isTrue();
    assertThat(ScriptTranslator.open("foo(1)\n")).isFalse();
    assertThat(ScriptTranslator.open("String s = \"(\";\n")).isFalse();
    assertThat(ScriptTranslator.open("String s = \"\\\"(\";\n")).isFalse(); // an escaped quote inside
    assertThat(ScriptTranslator.open("char c = '{';\n")).isFalse();
    assertThat(ScriptTranslator.open("int a = 1; // (\n")).isFalse();
    assertThat(ScriptTranslator.open("/* ( */ int a = 1;\n")).isFalse();
    assertThat(ScriptTranslator.open("/* still a comment\n")).isTrue();
    assertThat(ScriptTranslator.open("String t = \"\"\"\n  text ( \"quoted\"\n")).isTrue();
    assertThat(ScriptTranslator.open("String t = \"\"\"\n  text (\n  \"\"\";\n")).isFalse();
    assertThat(ScriptTranslator.open("run(() -> {\n  if (x) {\n  }\n")).isTrue();
  }

  @Test
  void skippingOpenTextChangesNoTranslationOfTheShippedScripts() throws Exception {
    Path scripts = Path.of("../../jshell-scripts");
    var startup = new ScriptTranslator.Source("startup.jsh", Files.readString(scripts.resolve("startup.jsh")));
    var exit = new ScriptTranslator.Source("exit.jsh", Files.readString(scripts.resolve("exit.jsh")));
    List<Path> shipped;
    try (var files = Files.list(scripts)) {
      // The three longest (each translation takes a second or two): lambdas over 100 lines, text blocks.
      shipped = files.filter(p -> p.toString().endsWith(".jsh"))
          .filter(p -> !p.getFileName().toString().matches("startup.jsh|exit.jsh"))
          .sorted(java.util.Comparator.comparingLong((Path p) -> p.toFile().length()).reversed()).limit(3).toList();
    }
    assertThat(shipped).hasSize(3);
    for (Path p : shipped) {
      var sources = List.of(new ScriptTranslator.Source(p.getFileName().toString(), Files.readString(p)), exit);
      ScriptTranslator.skipOpenText = false;
      String slow;
      try {
        slow = ScriptTranslator.translate(startup, sources, new StringBuilder()).orElseThrow().code();
      } finally {
        ScriptTranslator.skipOpenText = true;
      }
      String fast = ScriptTranslator.translate(startup, sources, new StringBuilder()).orElseThrow().code();
      assertThat(fast).as(p.toString()).isEqualTo(slow);
    }
  }

  @Test
  void jshellCommandsAndUnparsableSnippetsAreRefusedWithTheLine() {
    StringBuilder refusal = new StringBuilder();
    assertThat(translate("int a = 1;\n/open other.jsh\n", refusal)).isEmpty();
    assertThat(refusal).hasToString("line 2 is the JShell command '/open'");

    StringBuilder unparsable = new StringBuilder();
    assertThat(translate("int a = 1;\nint b = ;\n", unparsable)).isEmpty();
    assertThat(unparsable).hasToString("line 2 does not parse as Java");

    StringBuilder unfinished = new StringBuilder();
    assertThat(translate("int a = 1;\nfor (int i = 0; i < 2; i++) {\n", unfinished)).isEmpty();
    assertThat(unfinished).hasToString("the script ends inside an unfinished snippet at line 2");
  }

  @Test
  void aCompiledProgramIsCachedAndAScriptThatNeedsJShellIsRememberedAsSuch() throws Exception {
    Path cache = tmp.resolve("cache");
    var plain = List.of(new ScriptTranslator.Source("plain.jsh", "int a = 1;\n/exit a\n"), EXIT);
    var shared = List.of(new ScriptTranslator.Source("shared.jsh",
        "int calls = 0;\nint next() { return ++calls; }\n/exit next()\n"), EXIT);

    Path compiled = ScriptRunner.program(cache, STARTUP, plain).orElseThrow();
    assertThat(compiled.resolve("plain_jsh.class")).exists();
    long stamp = Files.getLastModifiedTime(compiled.resolve("plain_jsh.class")).toMillis();
    assertThat(ScriptRunner.program(cache, STARTUP, plain)).contains(compiled);
    assertThat(Files.getLastModifiedTime(compiled.resolve("plain_jsh.class")).toMillis()).isEqualTo(stamp);

    assertThat(ScriptRunner.program(cache, STARTUP, shared)).isEmpty();
    Path entry = cache.resolve(ScriptRunner.key(STARTUP, shared, System.getProperty("java.class.path")));
    assertThat(Files.readString(entry.resolve("jshell.txt"))).startsWith("it does not compile as a Java program")
        .contains("calls");
    assertThat(ScriptRunner.program(cache, STARTUP, shared)).isEmpty();

    // Another text is another program.
    var edited = List.of(new ScriptTranslator.Source("plain.jsh", "int a = 2;\n/exit a\n"), EXIT);
    assertThat(ScriptRunner.program(cache, STARTUP, edited).orElseThrow()).isNotEqualTo(compiled);
    try (var entries = Files.list(cache)) {
      assertThat(entries.filter(p -> p.getFileName().toString().startsWith("new-"))).as("no work directory left")
          .isEmpty();
    }
  }
}
