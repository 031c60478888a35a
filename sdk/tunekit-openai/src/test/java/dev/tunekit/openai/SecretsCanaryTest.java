package dev.tunekit.openai;

import static dev.tunekit.openai.OpenAiWireMock.BASE_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tunekit.error.AuthenticationException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.error.ProviderException;
import dev.tunekit.Run;
import dev.tunekit.RunListener;
import dev.tunekit.RunResult;
import dev.tunekit.model.Secret;
import dev.tunekit.Tunekit;
import dev.tunekit.WebhookResult;
import dev.tunekit.Webhooks;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.spi.ProviderSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants canary secrets (the OpenAI API key, named in tunekit.yaml only as {@code ${VAR}}, and a
 * webhook secret), runs the workflows against the real OpenAI provider on WireMock — failing calls
 * (401 and 500 whose bodies echo the key) included — and scans every output: standard output and
 * error (where logging goes, at debug for Tunekit and the SDK), java.util.logging, every exception's
 * message and stack trace, the toString() of every object a user may print, the ledger file (and its
 * WAL), the eval reports and every file under the work directory. Prints what it scanned.
 */
class SecretsCanaryTest {
  private static final String ENV_VAR = "TK_CANARY_OPENAI_KEY";

  @TempDir Path dir;

  private static String random(int n) {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** Texts to scan, each with where it came from. */
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private int exceptions;
  private int objects;

  private void exception(String label, Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    outputs.put("exception " + label + " (message, toString, stack trace with causes)",
        e.getMessage() + "\n" + e + "\n" + trace);
    exceptions++;
  }

  private void object(String label, Object o) {
    outputs.put("toString " + label, String.valueOf(o));
    objects++;
  }

  @Test
  void plantedSecretsAppearInNoOutputOfTheWholeWorkflowFailuresIncluded() throws Exception {
    String apiKey = "sk-canary-" + random(32);
    byte[] webhookKey = ("whk-canary-" + random(24)).getBytes(StandardCharsets.UTF_8);
    String webhookSecret = "whsec_" + Base64.getEncoder().encodeToString(webhookKey);
    List<String> canaries = List.of(apiKey, apiKey.substring(10), new String(webhookKey, StandardCharsets.UTF_8),
        webhookSecret.substring(6));

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    StringBuilder julLog = new StringBuilder();
    Handler jul = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (julLog) {
          julLog.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage())
              .append(' ').append(java.util.Arrays.toString(r.getParameters())).append('\n');
          if (r.getThrown() != null) {
            StringWriter t = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(t));
            julLog.append(t);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    java.util.logging.Level rootLevel = root.getLevel();
    root.addHandler(jul);
    root.setLevel(java.util.logging.Level.ALL);
    System.setOut(tee);
    System.setErr(tee);
    Path work = dir.resolve("work");
    Path ledger = work.resolve("ledger.db");
    try (OpenAiWireMock api = OpenAiWireMock.start()) {
      Path config = Files.writeString(dir.resolve("tunekit.yaml"), "provider: openai\n"
          + "workDir: work\n"
          + "providers:\n"
          + "  openai:\n"
          + "    apiKey: \"${" + ENV_VAR + "}\"   # the key itself stays in the environment\n"
          + "    baseUrl: \"" + api.baseUrl() + "\"\n"
          + "    timeout: 10s\n"
          + "resilience:\n"
          + "  retry: { maxAttempts: 2, initialBackoff: 1ms, maxBackoff: 2ms }\n"
          + "polling: { initialInterval: 1ms, maxInterval: 2ms, timeout: 1m }\n");
      Path train = dir.resolve("train.jsonl");
      StringBuilder lines = new StringBuilder();
      for (int i = 1; i <= 12; i++) {
        lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
            .append("\"},{\"role\":\"assistant\",\"content\":\"ok\"}]}\n");
      }
      Files.writeString(train, lines);
      EvalSuite suite = EvalSuite.of("canary-suite", EvalCase.of("c1", "say ok", "ok"), EvalCase.of("c2", "again", "ok"))
          .withGrader(Graders.exactMatch());

      try (Tunekit tk = TestAccess.withEnv(Tunekit.builder().configFile(config), Map.of(ENV_VAR, apiKey)).build()) {
        // Validate (and print the report, as a user would).
        Dataset.of(train).validate(BASE_MODEL).print();

        // Failures whose bodies echo the key: 401 on upload, 500 on chat (after the retry layer).
        api.stubFileList(List.of());
        api.stubError("POST", "/files", 401, "Incorrect API key provided: " + apiKey + ". You can find your API key"
            + " at https://platform.openai.com/account/api-keys.", Map.of());
        api.stubError("POST", "/chat/completions", 500, "The server had an error with key " + apiKey, Map.of());
        Throwable auth = catchThrowable(() -> tk.fineTune().model(BASE_MODEL).trainingData(train).start());
        assertThat(auth).isInstanceOf(AuthenticationException.class);
        exception("401 on upload", auth);
        System.err.println("error: " + auth.getMessage()); // what Script.run prints
        Throwable server = catchThrowable(() -> tk.chat(BASE_MODEL, List.of(ChatMessage.user("hi"))));
        assertThat(server).isInstanceOf(ProviderException.class);
        exception("500 on chat", server);

        // Then the whole workflow succeeds: baseline eval, upload, submit, await, tuned eval, chat.
        api.server().resetAll();
        api.stubSucceedingRun("ftjob-canary", "unused", "ft:" + BASE_MODEL + ":org::canary");
        Run run = tk.fineTune().model(BASE_MODEL).trainingData(train).evaluateWith(suite).start();
        RunResult result = run.await(RunListener.console());
        assertThat(result.succeeded()).isTrue();
        System.out.println(tk.chat(result.fineTunedModel().orElseThrow(), List.of(ChatMessage.user("hi"))).content());
        EvalComparison comparison = run.evaluation().orElseThrow();
        comparison.print();
        comparison.writeJson(work.resolve("report.json"));
        comparison.writeHtml(work.resolve("report.html"));
        run.baselineReport().orElseThrow().writeHtml(work.resolve("baseline.html"));

        // A webhook endpoint with its own secret, given a forged delivery.
        Webhooks webhooks = tk.webhooks(Secret.of(webhookSecret));
        WebhookResult forged = webhooks.handle(Map.of("webhook-id", "wh_1", "webhook-timestamp",
            Long.toString(System.currentTimeMillis() / 1000), "webhook-signature", "v1,AAAA"), "{}".getBytes());
        System.out.println(forged);
        Throwable badSecret = catchThrowable(() -> tk.webhooks(Secret.of("whsec_" + apiKey + "!")));
        assertThat(badSecret).isInstanceOf(dev.tunekit.error.InvalidInputException.class);
        exception("malformed webhook secret", badSecret);

        object("Tunekit", tk);
        object("Config", TestAccess.configText(tk));
        object("provider", TestAccess.providerText(tk));
        object("ProviderSettings", ProviderSettings.of("openai", config.toString(), work, Map.of("apiKey", apiKey)));
        object("Secret", Secret.of(apiKey));
        object("Webhooks", webhooks);
        object("WebhookResult", forged);
        object("Run", run);
        object("RunInfo", run.info());
        object("RunResult", result);
        object("runs()", tk.runs());
        object("EvalComparison", comparison);
        object("ledger log", TestAccess.ledgerLog(tk, run.id()));
        // The ledger while open: the WAL holds recent writes.
        for (String suffix : List.of("", "-wal", "-shm")) {
          Path f = Path.of(ledger + suffix);
          if (Files.exists(f)) {
            outputs.put("file (open) " + f.getFileName(), Files.readString(f, StandardCharsets.ISO_8859_1));
            assertThat(Files.getPosixFilePermissions(f)).as("permissions of %s", f)
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
          }
        }
      }
      // Positive control: the key did go where it belongs — to the provider, in the Authorization header.
      assertThat(api.server().getAllServeEvents()).anySatisfy(e -> assertThat(
          e.getRequest().getHeader("Authorization")).isEqualTo("Bearer " + apiKey));
    } finally {
      System.setOut(out);
      System.setErr(err);
      root.removeHandler(jul);
      root.setLevel(rootLevel);
    }

    outputs.put("stdout+stderr (slf4j-simple logs at debug)", console.toString(StandardCharsets.UTF_8));
    outputs.put("java.util.logging", julLog.toString());
    int files = 0;
    long bytes = 0;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(f);
        outputs.put("file " + dir.relativize(f), new String(b, StandardCharsets.ISO_8859_1)); // raw bytes, 1:1
        files++;
        bytes += b.length;
      }
    }

    // The scan is not vacuous: what was captured holds what the workflow did.
    String consoleText = outputs.get("stdout+stderr (slf4j-simple logs at debug)");
    assertThat(consoleText).contains("DEBUG dev.tunekit.Webhooks").contains("WARN dev.tunekit.internal.ResilientProvider")
        .contains("error: openai returned HTTP 401").contains("ft:" + BASE_MODEL + ":org::canary");
    assertThat(outputs.keySet()).anyMatch(k -> k.startsWith("file work/runs/"))
        .contains("file work/report.json", "file work/report.html", "file work/ledger.db", "file tunekit.yaml");
    assertThat(outputs.get("file tunekit.yaml")).contains("${" + ENV_VAR + "}");

    long occurrences = 0;
    List<String> leaks = new ArrayList<>();
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      for (String canary : canaries) {
        int at = e.getValue().indexOf(canary);
        if (at >= 0) {
          occurrences++;
          leaks.add(e.getKey() + " contains a canary near: …"
              + e.getValue().substring(Math.max(0, at - 60), at).replaceAll("\\s+", " ") + "[CANARY]");
        }
      }
    }
    long scanned = outputs.values().stream().mapToLong(String::length).sum();
    out.printf("secrets canary: %d outputs scanned (%d chars): %d exceptions, %d objects' toString, %d files"
        + " (%d bytes, ledger and WAL included), console %d chars, JUL %d chars; %d canary occurrences%n",
        outputs.size(), scanned, exceptions, objects, files, bytes, consoleText.length(), julLog.length(), occurrences);
    assertThat(leaks).isEmpty();
  }

  /** Writes to a buffer and to the real stream (so the surefire output keeps everything). */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
