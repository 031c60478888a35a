package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.error.TunekitException;
import dev.tunekit.Tunekit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants canary AWS credentials (through the AWS default chain's system properties, the only way
 * Tunekit's Bedrock provider gets credentials) and drives the Bedrock provider against a loopback port
 * where nothing listens, so every call fails after being signed: the upload, a chat, and the error
 * path a user sees through {@link Script#run}. Scans the console (slf4j-simple logs), every
 * exception's message and stack trace, toString()s, the ledger and every file written. The success
 * path with the secret canary is covered for OpenAI by {@code SecretsCanaryTest} in tunekit-openai.
 */
class AwsSecretsCanaryTest {
  @TempDir Path dir;

  @Test
  void awsCredentialsAppearInNoOutputWhenBedrockCallsFail() throws Exception {
    byte[] r = new byte[20];
    new SecureRandom().nextBytes(r);
    String accessKey = "AKIACANARY" + HexFormat.of().formatHex(r, 0, 5).toUpperCase();
    String secretKey = "canarySecret/" + HexFormat.of().formatHex(r);
    List<String> canaries = List.of(secretKey, HexFormat.of().formatHex(r));
    Map<String, String> outputs = new LinkedHashMap<>();

    Path train = dir.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      lines.append("{\"messages\":[{\"role\":\"user\",\"content\":\"q").append(i)
          .append("\"},{\"role\":\"assistant\",\"content\":\"ok\"}]}\n");
    }
    Files.writeString(train, lines);

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    String nowhere = "http://127.0.0.1:9"; // discard port: connection refused
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
    System.setOut(capture);
    System.setErr(capture);
    int status;
    try (Tunekit tk = Tunekit.builder().provider("bedrock")
        .setting("region", "us-east-1").setting("bucket", "tunekit-canary").setting("roleArn",
            "arn:aws:iam::123456789012:role/TunekitCanary")
        .setting("endpoint", nowhere).setting("runtimeEndpoint", nowhere).setting("s3Endpoint", nowhere)
        .setting("s3PathStyle", "true").setting("callTimeout", "5s")
        .ledger(dir.resolve("work/ledger.db")).workDir(dir.resolve("work"))
        .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), 2.0).build()) {
      Throwable upload = catchThrowable(() -> tk.fineTune().model("amazon.nova-micro-v1:0:128k").trainingData(train)
          .start());
      Throwable chat = catchThrowable(() -> tk.chat("amazon.nova-micro-v1:0", List.of(ChatMessage.user("hi"))));
      status = Script.run(() -> {
        tk.fineTune().model("amazon.nova-micro-v1:0:128k").trainingData(train).start();
        return 0;
      });
      for (Throwable t : new Throwable[] {upload, chat}) {
        assertThat(t).isInstanceOf(TunekitException.class);
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        outputs.put("exception " + t.getClass().getSimpleName(), t.getMessage() + "\n" + t + "\n" + trace);
      }
      outputs.put("toString Tunekit", tk.toString());
      outputs.put("toString runs", tk.runs().toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
    assertThat(status).isEqualTo(3);
    String consoleText = console.toString(StandardCharsets.UTF_8);
    assertThat(consoleText).contains("error: "); // the capture is not empty
    outputs.put("console", consoleText);
    int files = 0;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        outputs.put("file " + dir.relativize(f), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        files++;
      }
    }
    List<String> leaks = new ArrayList<>();
    for (Map.Entry<String, String> e : outputs.entrySet()) {
      for (String canary : canaries) {
        if (e.getValue().contains(canary)) {
          leaks.add(e.getKey());
        }
      }
    }
    out.printf("aws secrets canary: %d outputs scanned (%d chars, %d files, console %d chars); %d with the secret"
        + " access key%n", outputs.size(), outputs.values().stream().mapToLong(String::length).sum(), files,
        consoleText.length(), leaks.size());
    assertThat(leaks).isEmpty();
  }
}
