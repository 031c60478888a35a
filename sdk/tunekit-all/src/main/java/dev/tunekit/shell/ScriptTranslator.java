package dev.tunekit.shell;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Turns a {@code .jsh} script into one Java compilation unit that does what JShell would do with it, so
 * {@link ScriptRunner} can compile it once and start it as a plain Java program afterwards.
 *
 * <p>The script is cut into snippets exactly as the JShell tool cuts a file: line by line, each time
 * {@link SourceCodeAnalysis#analyzeCompletion} says the text so far is a complete snippet. A line that
 * starts a snippet with {@code /} is a command. Each snippet is then classified by parsing it with javac
 * the way JShell's own wrappers do (as a class member, else as statements, else as an expression):
 * <ul>
 *   <li>imports (from JShell's {@code DEFAULT} startup, the startup script and the script) go first;
 *   <li>statements, expressions and variable declarations become, in order, the body of {@code main}, each
 *       on the line it has in the script, so a stack trace names the script's own line numbers;
 *   <li>methods and classes become static members of the program's class;
 *   <li>{@code /exit} and {@code /exit <int expression>} end the program with that status.
 * </ul>
 * Anything else — another command, a snippet that does not parse — makes the translation refuse, and the
 * script runs in JShell instead. So does a program that does not compile, since JShell's top-level
 * variables are fields that methods and lambdas may share, while here they are local variables: the
 * compiler, not a guess, decides whether the script can run as a program.
 */
final class ScriptTranslator {
  /** The imports of JShell's {@code DEFAULT} startup (unchanged since JDK 9). */
  static final List<String> JSHELL_DEFAULT_IMPORTS = List.of("java.io.*", "java.math.*", "java.net.*",
      "java.nio.file.*", "java.util.*", "java.util.concurrent.*", "java.util.function.*", "java.util.prefs.*",
      "java.util.regex.*", "java.util.stream.*");

  /** The script's text with its name, as given to JShell. */
  record Source(String name, String text) {}

  /**
   * The Java program: its class's simple name, its compilation unit, and the script's file name, which the
   * class file records as its source (so a stack trace says {@code at validate_jsh.main(validate.jsh:12)}).
   */
  record Program(String className, String code, String sourceName) {}

  private enum Kind { IMPORT, MEMBER, STATEMENT, EXPRESSION, VARIABLE }

  /** Off only in ScriptTranslatorTest, which checks that skipping open text changes no translation. */
  static boolean skipOpenText = true;

  private final JavaCompiler javac;
  private final SourceCodeAnalysis analysis;

  private ScriptTranslator(JavaCompiler javac, SourceCodeAnalysis analysis) {
    this.javac = javac;
    this.analysis = analysis;
  }

  /**
   * Translates {@code startup} (imports only, as {@code jshell-scripts/startup.jsh}), then the {@code scripts} in
   * order (the script and the launcher's {@code exit.jsh}) into one program; empty with the reason logged
   * when the scripts need JShell.
   *
   * @param refusal receives the reason when the result is empty
   */
  static Optional<Program> translate(Source startup, List<Source> scripts, StringBuilder refusal) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      refusal.append("this Java runtime has no compiler (a JRE, not a JDK)");
      return Optional.empty();
    }
    // The analysis needs no execution engine of its own beyond JShell's in-process one, which stays idle.
    try (JShell shell = JShell.builder().executionEngine("local").build()) {
      return new ScriptTranslator(javac, shell.sourceCodeAnalysis()).program(startup, scripts, refusal);
    }
  }

  private Optional<Program> program(Source startup, List<Source> scripts, StringBuilder refusal) {
    Set<String> imports = new LinkedHashSet<>();
    JSHELL_DEFAULT_IMPORTS.forEach(i -> imports.add("import " + i + ";"));
    List<String> members = new ArrayList<>();
    List<List<String>> bodies = new ArrayList<>(); // per script: index = line - 1
    List<Snippet> startupSnippets = snippets(startup);
    if (startupSnippets == null) {
      refusal.append(startup.name()).append(": ").append(lastRefusal);
      return Optional.empty();
    }
    for (Snippet s : startupSnippets) {
      if (s.kind() != Kind.IMPORT) {
        refusal.append(startup.name()).append(':').append(s.line()).append(" is not an import");
        return Optional.empty();
      }
      imports.add(s.code());
    }
    for (Source script : scripts) {
      List<Snippet> parts = snippets(script);
      if (parts == null) {
        refusal.append(script == scripts.get(0) ? "" : script.name() + ": ").append(lastRefusal);
        return Optional.empty();
      }
      List<String> body = new ArrayList<>();
      for (Snippet s : parts) {
        switch (s.kind()) {
          case IMPORT -> imports.add(s.code());
          case MEMBER -> members.add(s.code());
          default -> place(body, s.line(), s.code());
        }
      }
      while (body.size() < script.text().lines().count()) {
        body.add(null);
      }
      bodies.add(body);
    }
    String className = className(scripts.get(0).name());
    StringBuilder java = new StringBuilder();
    // Line 1 holds the imports and the class and method headers, so the script's lines keep their numbers.
    // Each script is a try block: an uncaught exception ends that script (shown as JShell shows it), and the
    // next one (the launcher's exit.jsh) still runs.
    imports.forEach(i -> java.append(i).append(' '));
    java.append("final class ").append(className).append(" { public static void main(String[] $args)")
        .append(" throws Throwable {");
    String caught = "} catch (Throwable $e) { dev.tunekit.shell.ScriptRunner.uncaught($e); }";
    boolean firstLine = true;
    for (List<String> body : bodies) {
      for (int i = 0; i < Math.max(1, body.size()); i++) {
        String line = i < body.size() && body.get(i) != null ? body.get(i) : "";
        String prefix = i > 0 ? "" : (firstLine ? "" : caught + " ") + "try { ";
        java.append(firstLine ? " " : "\n").append(prefix).append(line);
        firstLine = false;
      }
    }
    java.append("\n").append(caught).append(" }\n");
    members.forEach(m -> java.append(m).append('\n'));
    java.append("}\n");
    return Optional.of(new Program(className, java.toString(), scripts.get(0).name()));
  }

  private static void place(List<String> body, int line, String code) {
    while (body.size() < line) {
      body.add(null);
    }
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int at = line - 1 + i;
      while (body.size() <= at) {
        body.add(null);
      }
      String before = body.get(at);
      body.set(at, before == null ? lines[i] : before + " " + lines[i]);
    }
  }

  /** The class name for a script's file name: {@code validate.jsh} gives {@code validate_jsh}. */
  static String className(String fileName) {
    String base = fileName.replace('\\', '/');
    base = base.substring(base.lastIndexOf('/') + 1);
    StringBuilder name = new StringBuilder();
    for (char c : base.toCharArray()) {
      name.append(Character.isJavaIdentifierPart(c) ? c : '_');
    }
    if (name.length() == 0 || !Character.isJavaIdentifierStart(name.charAt(0))) {
      name.insert(0, "jsh_");
    }
    return name.toString();
  }

  private record Snippet(Kind kind, int line, String code) {}

  private String lastRefusal = "";

  /** The snippets of a script in order, translated to Java; null (with {@link #lastRefusal}) when it needs JShell. */
  private List<Snippet> snippets(Source script) {
    List<Snippet> out = new ArrayList<>();
    String[] lines = script.text().split("\r?\n", -1);
    StringBuilder pending = new StringBuilder();
    int pendingLine = 1;
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (pending.toString().isBlank()) {
        pending.setLength(0);
        pendingLine = n + 1;
        String command = line.strip();
        if (command.startsWith("/") && !command.startsWith("//") && !command.startsWith("/*")) {
          Snippet exit = exitCommand(command, n + 1);
          if (exit == null) {
            lastRefusal = "line " + (n + 1) + " is the JShell command '" + command.split("\\s+")[0] + "'";
            return null;
          }
          out.add(exit);
          continue;
        }
      }
      pending.append(line).append('\n');
      if (skipOpenText && open(pending)) {
        continue; // an open bracket, string or comment: JShell would answer "incomplete" (and take as long)
      }
      while (!pending.toString().isBlank()) {
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(pending.toString());
        if (!info.completeness().isComplete()) {
          break;
        }
        String consumed = pending.substring(0, pending.length() - info.remaining().length());
        Snippet s = classify(info.source(), pendingLine);
        if (s == null) {
          lastRefusal = "line " + pendingLine + " does not parse as Java";
          return null;
        }
        out.add(s);
        pendingLine += (int) consumed.chars().filter(c -> c == '\n').count();
        pending = new StringBuilder(info.remaining());
      }
    }
    if (!pending.toString().isBlank()) {
      lastRefusal = "the script ends inside an unfinished snippet at line " + pendingLine;
      return null;
    }
    return out;
  }

  /**
   * Whether {@code text} ends inside a bracket, string, character, text block or block comment: such text
   * cannot be a complete snippet, so the (costly, and at each line quadratic) completeness analysis is skipped.
   */
  static boolean open(CharSequence text) {
    int depth = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      char next = i + 1 < n ? text.charAt(i + 1) : 0;
      if (c == '/' && next == '/') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && next == '*') {
        int end = indexOf(text, "*/", i + 2);
        if (end < 0) {
          return true;
        }
        i = end + 1;
      } else if (c == '"' && next == '"' && i + 2 < n && text.charAt(i + 2) == '"') {
        int end = i + 3;
        while (true) {
          end = indexOf(text, "\"\"\"", end);
          if (end < 0) {
            return true;
          }
          if (!escaped(text, end)) {
            break;
          }
          end++;
        }
        i = end + 2;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && (text.charAt(j) != c || escaped(text, j))) {
          if (text.charAt(j) == '\n') {
            return false; // an unterminated literal on a line: not ours to judge, let JShell say
          }
          j++;
        }
        if (j >= n) {
          return true;
        }
        i = j;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      }
    }
    return depth > 0;
  }

  private static int indexOf(CharSequence text, String what, int from) {
    for (int i = Math.max(0, from); i + what.length() <= text.length(); i++) {
      if (text.subSequence(i, i + what.length()).toString().equals(what)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the character at {@code at} is escaped by an odd number of backslashes before it. */
  private static boolean escaped(CharSequence text, int at) {
    int slashes = 0;
    for (int k = at - 1; k >= 0 && text.charAt(k) == '\\'; k--) {
      slashes++;
    }
    return slashes % 2 == 1;
  }

  private Snippet exitCommand(String command, int line) {
    String[] words = command.split("\\s+", 2);
    if (!words[0].equals("/exit") && !words[0].equals("/ex")) {
      return null;
    }
    String status = words.length > 1 ? words[1].strip() : "";
    if (status.endsWith(";")) {
      status = status.substring(0, status.length() - 1);
    }
    return new Snippet(Kind.STATEMENT, line,
        "dev.tunekit.shell.ScriptRunner.exit(" + (status.isEmpty() ? "0" : "(int) (" + status + ")") + ");");
  }

  private Snippet classify(String source, int line) {
    String code = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
    CompilationUnitTree asMember = parse("class $W {\n" + code + "\n}");
    if (asMember != null) {
      if (!asMember.getImports().isEmpty()) { // never here: a member wrapper has no imports
        return null;
      }
      ClassTree wrapper = (ClassTree) asMember.getTypeDecls().get(0);
      List<? extends Tree> members = wrapper.getMembers();
      if (!members.isEmpty() && members.stream().allMatch(m -> m instanceof VariableTree)) {
        return new Snippet(Kind.VARIABLE, line, code);
      }
      if (members.size() == 1 && (members.get(0) instanceof MethodTree || members.get(0) instanceof ClassTree)) {
        // JShell's top-level methods and classes need no instance: static members here (JShell ignores a
        // `static` written in the script, with a warning).
        var modifiers = members.get(0) instanceof MethodTree method ? method.getModifiers()
            : ((ClassTree) members.get(0)).getModifiers();
        boolean isStatic = modifiers.getFlags().contains(javax.lang.model.element.Modifier.STATIC);
        return new Snippet(Kind.MEMBER, line, (isStatic ? "" : "static ") + code.strip());
      }
    }
    CompilationUnitTree asImport = parse(code + "\nclass $W {}");
    if (asImport != null && !asImport.getImports().isEmpty()) {
      StringBuilder imports = new StringBuilder();
      for (ImportTree i : asImport.getImports()) {
        imports.append("import ").append(i.isStatic() ? "static " : "").append(i.getQualifiedIdentifier()).append(';');
      }
      return new Snippet(Kind.IMPORT, line, imports.toString());
    }
    if (parse("class $W { void $m() {\n" + code + "\n} }") != null) {
      return new Snippet(Kind.STATEMENT, line, code);
    }
    // An expression snippet that is also a statement (a method call, an assignment): JShell takes it
    // without its semicolon.
    if (!code.strip().endsWith(";") && parse("class $W { void $m() {\n" + code + ";\n} }") != null) {
      return new Snippet(Kind.STATEMENT, line, code + ";");
    }
    String expression = code.strip();
    if (expression.endsWith(";")) {
      expression = expression.substring(0, expression.length() - 1);
    }
    if (parse("class $W { Object $v = (\n" + expression + "\n); }") != null) {
      // JShell evaluates an expression snippet and keeps its value; a script shows nothing of it.
      return new Snippet(Kind.EXPRESSION, line, "{ Object $value = (" + expression + "); }");
    }
    return null;
  }

  /** Parses a compilation unit; null when javac reports a syntax error. */
  private CompilationUnitTree parse(String code) {
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///W.java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
    // Parsing needs no class path; the default (this JVM's, 200-odd jars) would be opened for every parse.
    JavacTask task = (JavacTask) javac.getTask(null, null, diagnostics, List.of("-proc:none", "-classpath", ""), null,
        List.of(file));
    try {
      Iterable<? extends CompilationUnitTree> units = task.parse();
      if (diagnostics.getDiagnostics().stream().anyMatch(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)) {
        return null;
      }
      return units.iterator().next();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
