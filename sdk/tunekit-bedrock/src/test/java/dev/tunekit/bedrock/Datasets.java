package dev.tunekit.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Training data as a user has it: OpenAI-style chat JSONL, which Tunekit converts for Bedrock. */
final class Datasets {
  static final String SYSTEM = "You are the Acme support bot. Answer in one or two sentences.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Datasets() {}

  /** {@code n} chat examples with a system prompt; every third one has two user/assistant turns. */
  static Path chat(Path file, int n) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ObjectNode line = JSON.createObjectNode();
      ArrayNode messages = line.putArray("messages");
      messages.addObject().put("role", "system").put("content", SYSTEM);
      messages.addObject().put("role", "user").put("content", "How do I change setting " + i + "?");
      messages.addObject().put("role", "assistant").put("content", "Open Settings and change item " + i + ".");
      if (i % 3 == 0) {
        messages.addObject().put("role", "user").put("content", "And if item " + i + " is greyed out?");
        messages.addObject().put("role", "assistant").put("content", "Ask your admin to unlock item " + i + ".");
      }
      sb.append(JSON.writeValueAsString(line)).append('\n');
    }
    Files.writeString(file, sb.toString());
    return file;
  }
}
