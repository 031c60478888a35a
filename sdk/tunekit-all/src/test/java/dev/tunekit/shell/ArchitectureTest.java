package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encapsulation line, checked on the compiled classes of every module (this module has them all
 * on its class path). Exported packages form the API; {@code dev.tunekit.internal..} is the engine,
 * public only so the root package can call it, and never part of an exported signature.
 */
class ArchitectureTest {
  /** The packages users and provider authors compile against. */
  static final Set<String> EXPORTED = Set.of("dev.tunekit", "dev.tunekit.model", "dev.tunekit.error",
      "dev.tunekit.spi", "dev.tunekit.dataset", "dev.tunekit.eval");
  /**
   * What a provider module may use of Tunekit: the SPI and the types it speaks in, and tunekit-http's support for
   * backends without a Java SDK.
   */
  static final Set<String> PROVIDER_MAY_USE = Set.of("dev.tunekit.spi", "dev.tunekit.model", "dev.tunekit.error",
      "dev.tunekit.dataset", "dev.tunekit.http");
  /** Provider modules, and tunekit-http, which is held to the same rule. */
  static final Set<String> PROVIDERS = Set.of("dev.tunekit.openai", "dev.tunekit.bedrock", "dev.tunekit.local",
      "dev.tunekit.fireworks", "dev.tunekit.together", "dev.tunekit.vertex", "dev.tunekit.http", "dev.tunekit.ray");

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.tunekit");
  }

  @Test
  void theImportSeesEveryModule() {
    Set<String> packages = new TreeSet<>();
    classes.forEach(c -> packages.add(c.getPackageName()));
    assertThat(packages).containsAll(EXPORTED).contains("dev.tunekit.internal").containsAll(PROVIDERS);
  }

  @Test
  void noExportedSignatureMentionsTheEngine() {
    List<String> leaks = new ArrayList<>();
    for (JavaClass c : classes) {
      if (!EXPORTED.contains(c.getPackageName()) || !isVisible(c)) {
        continue;
      }
      c.getRawSuperclass().filter(ArchitectureTest::internal)
          .ifPresent(s -> leaks.add(c.getName() + " extends " + s.getName()));
      c.getRawInterfaces().stream().filter(ArchitectureTest::internal)
          .forEach(i -> leaks.add(c.getName() + " implements " + i.getName()));
      for (JavaCodeUnit m : c.getCodeUnits()) {
        if (!visible(m.getModifiers()) || m.getName().startsWith("lambda$")) {
          continue;
        }
        m.getRawParameterTypes().stream().filter(ArchitectureTest::internal)
            .forEach(t -> leaks.add(m.getFullName() + " takes " + t.getName()));
        if (internal(m.getRawReturnType())) {
          leaks.add(m.getFullName() + " returns " + m.getRawReturnType().getName());
        }
      }
      for (JavaField f : c.getFields()) {
        if (visible(f.getModifiers()) && internal(f.getRawType())) {
          leaks.add(f.getFullName() + " is a " + f.getRawType().getName());
        }
      }
    }
    assertThat(leaks).as("public or protected API that exposes dev.tunekit.internal types").isEmpty();
  }

  @Test
  void onlyTheRootFacadeUsesTheEngine() {
    Map<String, Set<String>> uses = new TreeMap<>();
    for (JavaClass c : classes) {
      String p = c.getPackageName();
      if (!EXPORTED.contains(p) || p.equals("dev.tunekit")) {
        continue;
      }
      c.getDirectDependenciesFromSelf().stream().map(d -> d.getTargetClass())
          .filter(t -> internal(t) || t.getPackageName().equals("dev.tunekit"))
          .forEach(t -> uses.computeIfAbsent(c.getName(), k -> new TreeSet<>()).add(t.getName()));
    }
    assertThat(uses).as("model, error, spi, dataset and eval must not depend on the root facade or the engine")
        .isEmpty();
  }

  @Test
  void exportedPackagesHaveNoCycle() {
    Map<String, Set<String>> graph = new LinkedHashMap<>();
    EXPORTED.forEach(p -> graph.put(p, new TreeSet<>()));
    for (JavaClass c : classes) {
      String from = c.getPackageName();
      if (!EXPORTED.contains(from)) {
        continue;
      }
      c.getDirectDependenciesFromSelf().forEach(d -> {
        String to = d.getTargetClass().getPackageName();
        if (EXPORTED.contains(to) && !to.equals(from)) {
          graph.get(from).add(to);
        }
      });
    }
    assertThat(cycle(graph)).as("a cycle between exported packages (dependency graph: %s)", graph).isEmpty();
  }

  @Test
  void providerModulesCompileAgainstTheSpiOnly() {
    Map<String, Set<String>> wrong = new TreeMap<>();
    for (JavaClass c : classes) {
      String p = c.getPackageName();
      if (PROVIDERS.stream().noneMatch(x -> p.equals(x) || p.startsWith(x + "."))) {
        continue;
      }
      c.getDirectDependenciesFromSelf().stream().map(d -> d.getTargetClass())
          .filter(t -> t.getPackageName().startsWith("dev.tunekit"))
          .filter(t -> !PROVIDER_MAY_USE.contains(t.getPackageName()))
          .filter(t -> PROVIDERS.stream().noneMatch(x -> t.getPackageName().equals(x)
              || t.getPackageName().startsWith(x + ".")))
          .forEach(t -> wrong.computeIfAbsent(c.getName(), k -> new TreeSet<>()).add(t.getName()));
    }
    assertThat(wrong).as("provider classes using Tunekit types outside %s", PROVIDER_MAY_USE).isEmpty();
  }

  @Test
  void theCycleCheckCanFail() {
    Map<String, Set<String>> g = new LinkedHashMap<>();
    g.put("a", Set.of("b"));
    g.put("b", Set.of("c"));
    g.put("c", Set.of("a"));
    assertThat(cycle(g)).containsExactly("a", "b", "c", "a");
  }

  private static boolean internal(JavaClass t) {
    JavaClass base = t.isArray() ? t.getBaseComponentType() : t;
    return base.getPackageName().startsWith("dev.tunekit.internal");
  }

  private static boolean isVisible(JavaClass c) {
    if (!visible(c.getModifiers())) {
      return false;
    }
    return c.getEnclosingClass().map(ArchitectureTest::isVisible).orElse(true);
  }

  private static boolean visible(Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  /** A cycle in {@code graph} as the list of its nodes (first repeated last), or empty. */
  static List<String> cycle(Map<String, Set<String>> graph) {
    Map<String, Integer> state = new LinkedHashMap<>();
    for (String start : graph.keySet()) {
      List<String> path = new ArrayList<>();
      List<String> found = visit(start, graph, state, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null && s == 1) {
      List<String> c = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      c.add(node);
      return c;
    }
    state.put(node, 1);
    path.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      List<String> found = visit(next, graph, state, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
    return List.of();
  }
}
