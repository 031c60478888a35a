package dev.tunekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Tunekit;
import dev.tunekit.shell.Shell;
import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;

/**
 * What an interactive JShell session opened by {@code jshell-scripts/tunekit} offers: imports that
 * cover every type the public API takes or returns, the two-line banner, and Javadoc on Tab-Tab.
 */
class JShellStartupTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> EXPORTED = List.of("dev.tunekit", "dev.tunekit.model", "dev.tunekit.error",
      "dev.tunekit.spi", "dev.tunekit.dataset", "dev.tunekit.eval");
  /** JShell's DEFAULT startup (the launcher passes {@code --startup DEFAULT} before Tunekit's). */
  private static final List<String> JSHELL_DEFAULT = List.of("java.io", "java.math", "java.net", "java.nio.file",
      "java.util", "java.util.concurrent", "java.util.function", "java.util.prefs", "java.util.regex", "java.util.stream");

  record Imports(Set<String> packages, Set<String> types) {}

  private static Imports imports() throws IOException {
    Set<String> packages = new TreeSet<>(JSHELL_DEFAULT);
    packages.add("java.lang");
    Set<String> types = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^import\\s+([\\w.]+?)(\\.\\*)?;")
        .matcher(Files.readString(ROOT.resolve("jshell-scripts/startup.jsh"), StandardCharsets.UTF_8));
    while (m.find()) {
      (m.group(2) != null ? packages : types).add(m.group(1));
    }
    return new Imports(packages, types);
  }

  /** Every public top-level class of the exported packages, from tunekit-core's jar or classes directory. */
  private static List<Class<?>> publicApi() throws IOException, URISyntaxException {
    Path location = Path.of(Tunekit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> api = new ArrayList<>();
    try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location)) {
      Path root = jar == null ? location : jar.getPath("/");
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
          String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
          String pkg = name.substring(0, name.lastIndexOf('.'));
          if (EXPORTED.contains(pkg) && !name.contains("$") && !name.endsWith("package-info")) {
            Class<?> c = load(name);
            if (c != null && Modifier.isPublic(c.getModifiers())) {
              api.add(c);
            }
          }
        }
      }
    }
    return api;
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, JShellStartupTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  /** The types a user would write: those in the public signatures of {@code c} and its public nested types. */
  private static void collect(Class<?> c, Map<String, Set<String>> used) {
    List<Executable> members = new ArrayList<>(List.of(c.getConstructors()));
    for (Method m : c.getMethods()) {
      if (m.getDeclaringClass() != Object.class && !m.isSynthetic()) {
        members.add(m);
      }
    }
    for (Executable e : members) {
      String where = c.getSimpleName() + "." + e.getName();
      for (Type t : e.getGenericParameterTypes()) {
        walk(t, where, used);
      }
      if (e instanceof Method m) {
        walk(m.getGenericReturnType(), where, used);
      }
    }
    for (Field f : c.getFields()) {
      walk(f.getGenericType(), c.getSimpleName() + "." + f.getName(), used);
    }
    for (Class<?> nested : c.getDeclaredClasses()) { // its own, not those it inherits (Enum.EnumDesc)
      if (Modifier.isPublic(nested.getModifiers())) {
        collect(nested, used);
      }
    }
  }

  private static void walk(Type t, String where, Map<String, Set<String>> used) {
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      while (c.getEnclosingClass() != null) {
        c = c.getEnclosingClass(); // Tunekit.Builder is typed through Tunekit
      }
      if (!c.isPrimitive()) {
        used.computeIfAbsent(c.getName(), k -> new TreeSet<>()).add(where);
      }
    } else if (t instanceof ParameterizedType p) {
      walk(p.getRawType(), where, used);
      for (Type a : p.getActualTypeArguments()) {
        walk(a, where, used);
      }
    } else if (t instanceof WildcardType w) {
      Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds())).forEach(b -> walk(b, where, used));
    } else if (t instanceof GenericArrayType g) {
      walk(g.getGenericComponentType(), where, used);
    } else if (t instanceof TypeVariable<?>) {
      // a type parameter: nothing to import
    }
  }

  /** Why {@code className} cannot be typed by its simple name after the startup's imports, or null if it can. */
  private static String notImportable(String className, Imports imports) {
    if (imports.types().contains(className)) {
      return null;
    }
    String pkg = className.substring(0, className.lastIndexOf('.'));
    String simple = className.substring(className.lastIndexOf('.') + 1);
    if (!imports.packages().contains(pkg)) {
      return "its package " + pkg + " is not imported";
    }
    if (imports.types().stream().anyMatch(t -> t.endsWith("." + simple))) {
      return "another single-type import has the simple name " + simple;
    }
    List<String> clashes = imports.packages().stream().filter(p -> !p.equals(pkg))
        .filter(p -> {
          Class<?> other = load(p + "." + simple);
          return other != null && Modifier.isPublic(other.getModifiers());
        }).collect(Collectors.toList());
    return clashes.isEmpty() ? null : "the simple name is ambiguous with " + clashes;
  }

  @Test
  void theStartupImportsCoverEveryTypeThePublicApiTakesOrReturns() throws Exception {
    Imports imports = imports();
    List<Class<?>> api = publicApi();
    assertThat(api).extracting(Class::getSimpleName)
        .contains("Tunekit", "FineTune", "Run", "RunResult", "RunInfo", "RunList", "EvalReport", "EvalComparison",
            "GateResult", "Dataset", "TunekitException");
    Map<String, Set<String>> used = new TreeMap<>();
    api.forEach(c -> collect(c, used));
    assertThat(used).containsKeys("dev.tunekit.spi.RemoteJob", "dev.tunekit.spi.Deployment", "java.nio.file.Path");

    Map<String, String> missing = new TreeMap<>();
    used.forEach((type, where) -> {
      String why = notImportable(type, imports);
      if (why != null) {
        missing.put(type, why + " (used by " + where.stream().limit(3).collect(Collectors.joining(", ")) + ")");
      }
    });
    assertThat(missing).as("types of the public API a JShell user cannot name after startup.jsh").isEmpty();
  }

  @Test
  void theInteractiveCompileClassPathHoldsEveryTypeThePublicApiTakesOrReturns() throws Exception {
    Pattern pattern = LauncherFile.apiJars();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<java.net.URL> entries = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String e : classPath.split(java.io.File.pathSeparator)) {
      if (pattern.matcher(e).find()) {
        entries.add(Path.of(e).toUri().toURL());
        kept.add(Path.of(e).getFileName().toString());
      }
    }
    assertThat(kept.size()).as("a short list, not the whole class path: %s", kept).isBetween(10, 60);
    Map<String, Set<String>> used = new TreeMap<>();
    publicApi().forEach(c -> collect(c, used));
    Map<String, String> missing = new TreeMap<>();
    try (var loader = new java.net.URLClassLoader(entries.toArray(java.net.URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      for (var type : used.entrySet()) {
        try {
          Class.forName(type.getKey(), false, loader); // loading resolves the supertypes, which javac reads too
        } catch (ClassNotFoundException | LinkageError e) {
          missing.put(type.getKey(), e + " (used by " + type.getValue().stream().limit(3).collect(Collectors.joining(", "))
              + ")");
        }
      }
    }
    assertThat(missing).as("public API types JShell could not compile against with the class path %s", kept).isEmpty();
  }

  @Test
  void theBannerIsTwoLinesNamingTheImportsAndHowToStart() throws IOException {
    List<String> lines = Shell.BANNER.lines().collect(Collectors.toList());
    assertThat(lines).hasSize(2);
    assertThat(Shell.BANNER).contains("Tunekit.local()", "Tunekit.fromConfig(", "README.md", "docs/");
    Imports imports = imports();
    for (String p : EXPORTED) {
      assertThat(imports.packages()).as("the banner says %s is imported", p).contains(p);
    }
    // only an interactive session shows it: scripts run with plain jshell
    String launcher = LauncherFile.text();
    String interactive = launcher.substring(launcher.indexOf("if [ $# -eq 0 ]; then"), launcher.indexOf("script=\"$1\""));
    assertThat(interactive).contains("dev.tunekit.shell.Shell");
    assertThat(launcher.substring(launcher.indexOf("script=\"$1\""))).doesNotContain("dev.tunekit.shell.Shell");
  }

  @Test
  void tabShowsTheJavadocOfTheSdkWithTheLaunchersSources() throws Exception {
    String launcher = LauncherFile.text();
    assertThat(launcher).contains("--add-opens jdk.jshell/jdk.jshell=ALL-UNNAMED");
    Matcher m = Pattern.compile("for m in ([\\w ]+); do sources=").matcher(launcher);
    assertThat(m.find()).as("the launcher lists the modules whose sources JShell gets").isTrue();
    List<Path> roots = Stream.of(m.group(1).trim().split("\\s+"))
        .map(mod -> ROOT.resolve("sdk/tunekit-" + mod + "/src/main/java")).collect(Collectors.toList());
    assertThat(roots).allMatch(Files::isDirectory);

    assertThat(Shell.installSources(roots)).as("JShell accepts the source roots (needs --add-opens)").isTrue();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    try (JShell js = JShell.builder().executionEngine("local").build()) {
      for (String entry : classPath.split(java.io.File.pathSeparator)) {
        js.addToClasspath(entry);
      }
      js.eval("import dev.tunekit.*;");
      String code = "Tunekit.local(";
      List<SourceCodeAnalysis.Documentation> docs = js.sourceCodeAnalysis().documentation(code, code.length(), true);
      assertThat(docs).extracting(SourceCodeAnalysis.Documentation::javadoc)
          .anySatisfy(d -> assertThat(d).contains("The embedded offline provider"));
    }
  }
}
