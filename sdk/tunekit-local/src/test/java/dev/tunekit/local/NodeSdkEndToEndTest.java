package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Node SDK ({@code openai} on npm, pinned by {@code src/test/node/package-lock.json})
 * drives a started server end to end: {@code src/test/node/e2e.mjs} asserts every step and exits non-zero
 * at the first failure. {@code npm ci} installs into {@code target/node-sdk} once; later runs reuse it.
 * Skipped, saying why, only when {@code node}/{@code npm} are missing or the npm registry is unreachable.
 */
class NodeSdkEndToEndTest {
  private static final Path SOURCES = Path.of("src/test/node");
  private static final Path WORK = Path.of("target/node-sdk");

  record Run(int exit, String output) {}

  static Run run(List<String> command, Path dir, Map<String, String> env, Duration timeout) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Run(-1, "cannot run " + command.get(0) + ": " + e.getMessage());
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      return new Run(-2, new String(out, StandardCharsets.UTF_8) + "\n(timed out after " + timeout + ")");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Installs the pinned SDK into target/node-sdk unless the lock file there is already the installed one. */
  static void install() throws Exception {
    Files.createDirectories(WORK);
    Path lock = SOURCES.resolve("package-lock.json");
    Path installed = WORK.resolve("node_modules").resolve(".package-lock.json");
    boolean fresh = Files.exists(installed) && Files.exists(WORK.resolve("package-lock.json"))
        && Files.mismatch(lock, WORK.resolve("package-lock.json")) == -1L;
    for (String f : List.of("package.json", "package-lock.json", "e2e.mjs")) {
      Files.copy(SOURCES.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (fresh) {
      return;
    }
    Run ci = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), WORK, Map.of(),
        Duration.ofMinutes(3));
    String out = ci.output();
    boolean unreachable = out.contains("ENOTFOUND") || out.contains("EAI_AGAIN") || out.contains("ECONNREFUSED")
        || out.contains("ETIMEDOUT") || out.contains("ECONNRESET") || out.contains("network");
    assumeTrue(ci.exit() == 0 || !unreachable,
        "skipped: the npm registry is unreachable, so the OpenAI Node SDK cannot be installed (npm ci said: "
        + out.strip() + ")");
    assertThat(ci.exit()).as("npm ci in %s:%n%s", WORK.toAbsolutePath(), out).isZero();
  }

  @Test
  void theOfficialNodeSdkDrivesTheServerEndToEnd(@TempDir Path dir) throws Exception {
    Run node = run(List.of("node", "--version"), Path.of("."), Map.of(), Duration.ofSeconds(20));
    Run npm = run(List.of("npm", "--version"), Path.of("."), Map.of(), Duration.ofSeconds(20));
    assumeTrue(node.exit() == 0 && npm.exit() == 0,
        "skipped: node and npm are needed to run the OpenAI Node SDK (" + node.output().strip() + "; "
        + npm.output().strip() + ")");
    install();
    // A short step delay keeps a job running long enough to pause it, and the whole run near a second.
    try (LocalServer server = LocalServer.builder().dataDir(dir.resolve("data")).stepDelay(Duration.ofMillis(5))
        .start()) {
      Run e2e = run(List.of("node", "e2e.mjs"), WORK, Map.of("OPENAI_BASE_URL", server.baseUrl(),
          "OPENAI_API_KEY", server.token().reveal(), "TRAIN_FILE", Fixtures.TRAIN.toString()), Duration.ofMinutes(2));
      assertThat(e2e.exit()).as("node e2e.mjs:%n%s", e2e.output()).isZero();
      assertThat(e2e.output()).as(e2e.output()).containsPattern("(?m)^2[0-9] steps passed$");
    }
  }
}
