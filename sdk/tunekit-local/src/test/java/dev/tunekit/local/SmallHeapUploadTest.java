package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads are streamed to disk (issue 11, item 9): a 96 MB file reaches a server whose heap is 32 MB.
 * The server runs in a child JVM ({@code -Xmx32m}); a server that buffered the body would fail with
 * OutOfMemoryError long before the end.
 */
class SmallHeapUploadTest {
  private static final long SIZE = 96L * 1024 * 1024;

  /** The child JVM: a server on a free port that prints its URL and token, and stops when stdin closes. */
  public static void main(String[] args) throws Exception {
    try (LocalServer server = LocalServer.builder().dataDir(Path.of(args[0])).stepDelay(Duration.ZERO).start()) {
      System.out.println(server.baseUrl() + " " + server.token().reveal());
      System.out.flush();
      System.in.transferTo(OutputStream.nullOutputStream());
    }
  }

  @Test
  void aFileThreeTimesTheHeapIsUploadedToAServerWithA32MbHeap(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), SmallHeapUploadTest.class.getName(), dir.resolve("data").toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String[] line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
          .readLine().split(" ");
      String boundary = "tunekitb0undary";
      byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n--"
          + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jsonl\"\r\n"
          + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
      HttpURLConnection c = (HttpURLConnection) URI.create(line[0] + "/files").toURL().openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Authorization", "Bearer " + line[1]);
      c.setRequestProperty("Content-Type", "multipart/form-data; boundary=" + boundary);
      c.setFixedLengthStreamingMode(head.length + SIZE + tail.length);
      c.setReadTimeout(60_000);
      byte[] block = new byte[1 << 20];
      Arrays.fill(block, (byte) 'x');
      try (OutputStream out = c.getOutputStream()) {
        out.write(head);
        for (long sent = 0; sent < SIZE; sent += block.length) {
          out.write(block);
        }
        out.write(tail);
      }
      String body = new String((c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(c.getResponseCode()).as(body).isEqualTo(200);
      JsonNode file = new ObjectMapper().readTree(body);
      assertThat(file.path("bytes").asLong()).isEqualTo(SIZE);
      assertThat(Files.size(dir.resolve("data").resolve("files").resolve(file.path("id").asText() + ".data")))
          .isEqualTo(SIZE);
      assertThat(child.isAlive()).as("the 32 MB server survived").isTrue();
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }
}
