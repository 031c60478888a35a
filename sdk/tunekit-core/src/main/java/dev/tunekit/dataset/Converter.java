package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.error.InvalidInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a validated dataset in a provider's format, split deterministically into training and
 * validation files, each with its SHA-256. Refuses (with the reason and the line) any example whose
 * conversion would lose information. Files are written to temporary names and moved into place only
 * when the whole conversion succeeded.
 */
final class Converter {
  static final String SCHEMA_VERSION = "bedrock-conversation-2024";

  private final Path source;
  private final DatasetKind kind;
  private final DatasetFormat format;

  Converter(Path source, DatasetKind kind, DatasetFormat format) {
    this.source = source;
    this.kind = kind;
    this.format = format;
  }

  PreparedDataset convert(long examples, Path outDir, double validationFraction, long seed) throws IOException {
    refuseKindMismatch();
    long k = validationCount(examples, validationFraction);
    Files.createDirectories(outDir);
    Path train = outDir.resolve("train.jsonl");
    Path valid = outDir.resolve("validation.jsonl");
    Path trainTmp = Files.createTempFile(outDir, ".train-", ".tmp");
    Path validTmp = Files.createTempFile(outDir, ".validation-", ".tmp");
    try {
      MessageDigest dt = sha256();
      MessageDigest dv = sha256();
      long nt = 0;
      long nv = 0;
      SplittableRandom random = new SplittableRandom(seed);
      long index = 0;
      try (InputStream in = Files.newInputStream(source);
          LineReader reader = new LineReader(in, Validator.DEFAULT_MAX_LINE_BYTES);
          OutputStream wt = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(trainTmp), 1 << 16), dt);
          OutputStream wv = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(validTmp), 1 << 16), dv)) {
        LineBatch b;
        while ((b = reader.next(Validator.BATCH_BYTES)) != null) {
          for (int i = 0; i < b.size; i++) {
            if (isBlank(b, i)) {
              continue;
            }
            byte[] out = convertLine(b, i);
            boolean toValidation = k > 0 && random.nextDouble() * (examples - index) < (k - nv);
            index++;
            OutputStream w = toValidation ? wv : wt;
            w.write(out);
            w.write('\n');
            if (toValidation) {
              nv++;
            } else {
              nt++;
            }
          }
        }
      }
      Files.move(trainTmp, train, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      ConvertedFile t = new ConvertedFile(train, format, nt, Files.size(train), hex(dt));
      Optional<ConvertedFile> v = Optional.empty();
      if (nv > 0) {
        Files.move(validTmp, valid, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        v = Optional.of(new ConvertedFile(valid, format, nv, Files.size(valid), hex(dv)));
      } else {
        Files.deleteIfExists(valid);
      }
      return new PreparedDataset(t, v);
    } finally {
      Files.deleteIfExists(trainTmp);
      Files.deleteIfExists(validTmp);
    }
  }

  static long validationCount(long examples, double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new InvalidInputException("validationFraction must be at least 0 and below 1, was " + fraction);
    }
    if (fraction == 0 || examples < 2) {
      return 0;
    }
    long k = Math.max(1, Math.round(examples * fraction));
    return Math.min(k, examples - 1);
  }

  private void refuseKindMismatch() {
    boolean ok;
    String why;
    switch (format) {
      case OPENAI_PREFERENCE:
        ok = kind == DatasetKind.PREFERENCE;
        why = "chat examples have no preferred/non-preferred outputs to train preferences on";
        break;
      case OPENAI_CHAT:
        ok = kind == DatasetKind.CHAT;
        why = "converting preference pairs to chat would drop every non_preferred_output; use OPENAI_PREFERENCE";
        break;
      default:
        ok = kind == DatasetKind.CHAT;
        why = "the Bedrock formats have no preference pairs: the non_preferred_output of every example would be lost";
        break;
    }
    if (!ok) {
      throw new InvalidInputException("cannot convert a " + kind.name().toLowerCase() + " dataset to " + format
          + ": " + why, source.toString());
    }
  }

  private byte[] convertLine(LineBatch b, int i) {
    if (format == DatasetFormat.OPENAI_CHAT || format == DatasetFormat.OPENAI_PREFERENCE) {
      byte[] out = new byte[b.length[i]];
      System.arraycopy(b.data, b.start[i], out, 0, out.length);
      return out;
    }
    BatchResult sink = new BatchResult();
    JsonNode root = ExampleChecker.parse(b.data, b.start[i], b.length[i], b.lineNo[i], sink);
    if (root == null) {
      throw refuse(b.lineNo[i], "the line is not valid JSON; validate the dataset first");
    }
    JsonNode converted = format == DatasetFormat.BEDROCK_CONVERSATION
        ? toBedrockConversation(root, b.lineNo[i]) : toTitan(root, b.lineNo[i]);
    try {
      return ExampleChecker.MAPPER.writeValueAsBytes(converted);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Splits off leading system messages and checks that nothing Bedrock cannot hold is present. */
  private List<JsonNode> checkConvertible(JsonNode root, long line, List<String> system) {
    for (String key : List.of("tools", "functions")) {
      if (root.has(key)) {
        throw refuse(line, "it defines \"" + key + "\", which " + format + " cannot hold");
      }
    }
    List<JsonNode> turns = new ArrayList<>();
    for (JsonNode m : root.path("messages")) {
      String role = m.path("role").asText();
      if (m.has("tool_calls") || m.has("function_call") || role.equals("tool") || role.equals("function")) {
        throw refuse(line, "it has tool calls or tool results, which " + format + " cannot hold");
      }
      if (m.has("name")) {
        throw refuse(line, "a message has a \"name\", which " + format + " cannot hold");
      }
      if (m.has("weight") && m.path("weight").asDouble(1) == 0) {
        throw refuse(line, "an assistant message has weight 0, and " + format + " trains on every assistant "
            + "message");
      }
      if (role.equals("system")) {
        if (!turns.isEmpty()) {
          throw refuse(line, "a system message follows the conversation's start; " + format + " takes system "
              + "text only before the first turn");
        }
        system.add(m.path("content").asText());
      } else {
        turns.add(m);
      }
    }
    for (int t = 0; t < turns.size(); t++) {
      String expected = t % 2 == 0 ? "user" : "assistant";
      String role = turns.get(t).path("role").asText();
      if (!role.equals(expected)) {
        throw refuse(line, "turn " + (t + 1) + " is " + role + " where " + expected + " was expected; " + format
            + " needs user and assistant turns alternating, starting with user");
      }
    }
    if (turns.isEmpty() || turns.size() % 2 != 0) {
      throw refuse(line, "the conversation must end with an assistant turn");
    }
    return turns;
  }

  private JsonNode toBedrockConversation(JsonNode root, long line) {
    List<String> system = new ArrayList<>();
    List<JsonNode> turns = checkConvertible(root, line, system);
    ObjectNode out = ExampleChecker.MAPPER.createObjectNode();
    out.put("schemaVersion", SCHEMA_VERSION);
    if (!system.isEmpty()) {
      ArrayNode s = out.putArray("system");
      system.forEach(text -> s.addObject().put("text", text));
    }
    ArrayNode ms = out.putArray("messages");
    for (JsonNode m : turns) {
      ObjectNode o = ms.addObject();
      o.put("role", m.path("role").asText());
      o.putArray("content").addObject().put("text", m.path("content").asText());
    }
    return out;
  }

  private JsonNode toTitan(JsonNode root, long line) {
    List<String> system = new ArrayList<>();
    List<JsonNode> turns = checkConvertible(root, line, system);
    if (turns.size() != 2) {
      throw refuse(line, "it has " + turns.size() / 2 + " user/assistant exchanges; " + format + " holds exactly "
          + "one prompt and one completion");
    }
    StringBuilder prompt = new StringBuilder();
    for (String s : system) {
      prompt.append(s).append("\n\n");
    }
    prompt.append(turns.get(0).path("content").asText());
    ObjectNode out = ExampleChecker.MAPPER.createObjectNode();
    out.put("prompt", prompt.toString());
    out.put("completion", turns.get(1).path("content").asText());
    return out;
  }

  private InvalidInputException refuse(long line, String why) {
    return new InvalidInputException("cannot convert to " + format + " without losing information: " + why
        + ". Remove or rewrite such examples, or choose a provider and model that accept them",
        source + ":" + line);
  }

  private static boolean isBlank(LineBatch b, int i) {
    for (int j = b.start[i]; j < b.start[i] + b.length[i]; j++) {
      byte c = b.data[j];
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(MessageDigest d) {
    return HexFormat.of().formatHex(d.digest());
  }
}
