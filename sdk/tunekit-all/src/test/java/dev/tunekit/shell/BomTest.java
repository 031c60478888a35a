package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * sdk/tunekit-bom cannot drift from the reactor: it lists every library module (a new module fails here
 * until it is added, or named below as not a library), at the reactor's version, with no parent (whose
 * dependency management would reach its users), and the README's coordinates name only what it manages.
 */
class BomTest {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  /** Reactor modules that are not libraries for users, and why. */
  private static final Map<String, String> NOT_LIBRARIES = Map.of(
      "examples", "examples and the docs' tests",
      "examples/service", "an example application, never a dependency",
      "benchmarks", "JMH benchmarks",
      "sdk/tunekit-reliability", "test-only: fault-injection and soak tests",
      "sdk/tunekit-bom", "the BOM itself");

  @Test
  void theBomListsEveryLibraryModuleAtTheReactorsVersion() throws Exception {
    Document root = parse(ROOT.resolve("pom.xml"));
    Set<String> libraries = new TreeSet<>();
    for (Element m : children(child(root.getDocumentElement(), "modules"), "module")) {
      String dir = m.getTextContent().trim();
      if (!NOT_LIBRARIES.containsKey(dir)) {
        libraries.add(text(parse(ROOT.resolve(dir).resolve("pom.xml")).getDocumentElement(), "artifactId"));
      }
    }
    assertThat(libraries).contains("tunekit-core", "tunekit-all", "tunekit-testing");

    Element bom = parse(ROOT.resolve("sdk/tunekit-bom/pom.xml")).getDocumentElement();
    assertThat(child(bom, "parent")).as("the BOM has no parent: its dependency management would reach users").isNull();
    assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(text(root.getDocumentElement(), "version"));
    Set<String> managed = new TreeSet<>();
    for (Element d : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      if (text(d, "groupId").equals("dev.tunekit")) {
        assertThat(text(d, "version")).as(text(d, "artifactId")).isEqualTo("${project.version}");
        managed.add(text(d, "artifactId"));
      }
    }
    assertThat(managed).as("dev.tunekit artifacts in sdk/tunekit-bom/pom.xml (a library module is missing, or the"
        + " BOM names one the reactor does not build; a module that is not a library goes in NOT_LIBRARIES)")
        .isEqualTo(libraries);
    for (String property : List.of("jackson.version", "google-libraries-bom.version")) {
      assertThat(text(child(bom, "properties"), property)).as("%s in the BOM and the root pom", property)
          .isEqualTo(text(child(root.getDocumentElement(), "properties"), property));
    }
  }

  @Test
  void theReadmesCoordinatesNameOnlyWhatTheBomManages() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("## Use Tunekit in your project");
    assertThat(start).as("README.md has a section 'Use Tunekit in your project'").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);

    Element bom = parse(ROOT.resolve("sdk/tunekit-bom/pom.xml")).getDocumentElement();
    Set<String> managed = new TreeSet<>();
    children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")
        .forEach(d -> managed.add(text(d, "artifactId")));
    String version = text(bom, "version");
    List<String> named = new ArrayList<>();
    Matcher m = Pattern.compile("dev\\.tunekit:(tunekit-[a-z-]+)(?::([^\"'\\s]+))?|<artifactId>(tunekit-[a-z-]+)</artifactId>")
        .matcher(section);
    while (m.find()) {
      String id = m.group(1) != null ? m.group(1) : m.group(3);
      named.add(id);
      if (m.group(2) != null) {
        assertThat(m.group(2)).as("version of %s in the README", id).isEqualTo(version);
      }
    }
    assertThat(named).as("Maven and Gradle coordinates in the section").contains("tunekit-bom", "tunekit-core")
        .allMatch(id -> id.equals("tunekit-bom") || managed.contains(id), "managed by tunekit-bom");
    assertThat(section).as("the version the snippets use").contains("<version>" + version + "</version>");
    assertThat(section).as("the install command for unpublished artifacts")
        .contains("mvn -B -q install -DskipTests -pl sdk/tunekit-bom,sdk/tunekit-all -am");
  }

  private static Document parse(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    assertThat(e).as("<%s> in <%s>", name, parent.getTagName()).isNotNull();
    return e.getTextContent().trim();
  }
}
