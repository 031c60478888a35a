package dev.tunekit.shell;

import java.io.File;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.tool.JavaShellToolBuilder;

/**
 * How {@code jshell-scripts/tunekit} opens an interactive JShell: prints {@link #BANNER}, lets JShell
 * find Tunekit's sources so that Tab-Tab after {@code Tunekit.local(} shows the Javadoc, and starts
 * the JDK's JShell tool with the launcher's arguments. Scripts are run by plain {@code jshell}.
 *
 * <p>JShell 17 reads documentation only from the JDK's {@code src.zip}; it has no option for other
 * sources. {@link #installSources(List)} adds the SDK's source roots to that list (a field of
 * {@code jdk.jshell}, reachable with {@code --add-opens jdk.jshell/jdk.jshell=ALL-UNNAMED}, which the
 * launcher passes). Where that is not possible, JShell still starts, with signatures but no Javadoc.
 */
public final class Shell {
  /** The two lines shown when an interactive session opens. */
  public static final String BANNER =
      "Tunekit: imported dev.tunekit.* with .model .error .spi .dataset .eval, and java.nio.file, java.time, java.util.\n"
      + "Start: var tk = Tunekit.local();  or  var tk = Tunekit.fromConfig(Path.of(\"tunekit.yaml\"));"
      + "  Tab-Tab shows Javadoc; docs: README.md, docs/.";

  private Shell() {}

  /**
   * Runs the JShell tool. System property {@code tunekit.sources}: the SDK's source roots (directories
   * or source jars), separated by the path separator. Exits with the tool's status.
   */
  public static void main(String[] args) throws Exception {
    String roots = System.getProperty("tunekit.sources", "");
    List<Path> sources = Arrays.stream(roots.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of)
        .filter(Files::exists).collect(Collectors.toList());
    if (!installSources(sources) && Boolean.getBoolean("tunekit.debug")) {
      System.err.println("tunekit: this JDK's JShell cannot be given Tunekit's sources; Tab shows signatures only");
    }
    System.out.println(BANNER);
    System.exit(JavaShellToolBuilder.builder().start(args));
  }

  /**
   * Makes JShell's documentation lookup ({@code SourceCodeAnalysis.documentation}) read {@code roots}
   * as well as the JDK's sources. Call before any JShell is built.
   *
   * @return whether it could (false on a JDK whose JShell is built otherwise, or without --add-opens)
   */
  public static boolean installSources(List<Path> roots) {
    try {
      Field override = Class.forName("jdk.jshell.SourceCodeAnalysisImpl").getDeclaredField("availableSourcesOverride");
      override.setAccessible(true);
      List<Path> all = new ArrayList<>(jdkSources());
      for (Path root : roots) {
        all.add(Files.isDirectory(root) ? root : jarRoot(root));
      }
      override.set(null, List.copyOf(all));
      return true;
    } catch (ReflectiveOperationException | RuntimeException | java.io.IOException e) {
      return false;
    }
  }

  /** What JShell itself reads: the module directories of the JDK's src.zip, when the JDK has one. */
  private static List<Path> jdkSources() throws java.io.IOException {
    Path home = Path.of(System.getProperty("java.home"));
    Path zip = home.resolve("lib").resolve("src.zip");
    if (!Files.isReadable(zip)) {
      zip = home.getParent().resolve("src.zip");
    }
    if (!Files.isReadable(zip)) {
      return List.of();
    }
    Path root = jarRoot(zip);
    if (Files.exists(root.resolve("java/lang/Object.java"))) {
      return List.of(root);
    }
    try (Stream<Path> modules = Files.list(root)) {
      return modules.filter(Files::isDirectory).collect(Collectors.toList());
    }
  }

  private static Path jarRoot(Path zip) throws java.io.IOException {
    FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of()); // open for the session
    return fs.getRootDirectories().iterator().next();
  }
}
