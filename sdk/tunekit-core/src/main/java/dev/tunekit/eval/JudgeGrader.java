package dev.tunekit.eval;

import dev.tunekit.error.InvalidInputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.TunekitException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** LLM-as-judge: one chat call per graded output, verdict parsed strictly. */
final class JudgeGrader implements Grader {
  private static final ObjectMapper VERDICT_JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final Set<String> KEYS = Set.of("score", "pass", "reason");

  static final String SYSTEM_PROMPT = """
      You are a strict evaluator of an AI assistant's answer. Judge the candidate answer only against \
      the rubric (and the reference answer, when one is given).
      Reply with exactly one JSON object and nothing else — no prose, no code fence:
      {"score": <number from 0 to 1>, "pass": <true or false>, "reason": "<one short sentence>"}""";

  private final ChatModel judge;
  private final String judgeModel;
  private final String rubric;

  JudgeGrader(ChatModel judge, String judgeModel, String rubric) {
    this.judge = Objects.requireNonNull(judge, "judge");
    this.judgeModel = Objects.requireNonNull(judgeModel, "judgeModel");
    this.rubric = Objects.requireNonNull(rubric, "rubric");
    if (rubric.isBlank()) {
      throw new InvalidInputException("an LLM judge needs a non-blank rubric");
    }
  }

  @Override
  public String name() {
    return "judge";
  }

  @Override
  public Grade grade(EvalCase testCase, String output) {
    ChatResponse response = judge.chat(request(testCase, output));
    return parseVerdict(response.content(), testCase.id());
  }

  ChatRequest request(EvalCase testCase, String output) {
    StringBuilder user = new StringBuilder();
    user.append("## Rubric\n").append(rubric.strip()).append("\n\n## Conversation\n");
    for (ChatMessage m : testCase.messages()) {
      user.append('[').append(m.role()).append("] ").append(m.content()).append('\n');
    }
    testCase.expected().ifPresent(e -> user.append("\n## Reference answer\n").append(e).append('\n'));
    user.append("\n## Candidate answer\n").append(output).append('\n');
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.system(SYSTEM_PROMPT));
    messages.add(ChatMessage.user(user.toString()));
    return ChatRequest.of(judgeModel, messages);
  }

  /**
   * Parses a verdict. Accepts exactly one JSON object with the keys score (number in [0,1]), pass
   * (boolean) and reason (string), and nothing else.
   */
  static Grade parseVerdict(String content, String caseId) {
    String text = content.strip();
    JsonNode node;
    try {
      node = VERDICT_JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw unreadable(caseId, "it is not a single JSON object (" + Graders.jsonError(e) + ")", content);
    }
    if (node == null || !node.isObject()) {
      throw unreadable(caseId, "it is not a JSON object", content);
    }
    Set<String> keys = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    if (!keys.equals(new TreeSet<>(KEYS))) {
      Set<String> missing = new TreeSet<>(KEYS);
      missing.removeAll(keys);
      Set<String> extra = new TreeSet<>(keys);
      extra.removeAll(KEYS);
      throw unreadable(caseId, "keys must be exactly score, pass, reason"
          + (missing.isEmpty() ? "" : "; missing " + missing)
          + (extra.isEmpty() ? "" : "; unexpected " + extra), content);
    }
    JsonNode score = node.get("score");
    JsonNode pass = node.get("pass");
    JsonNode reason = node.get("reason");
    if (!score.isNumber()) {
      throw unreadable(caseId, "'score' must be a number, got " + score, content);
    }
    double s = score.doubleValue();
    if (!(s >= 0.0 && s <= 1.0)) {
      throw unreadable(caseId, "'score' must be between 0 and 1, got " + score, content);
    }
    if (!pass.isBoolean()) {
      throw unreadable(caseId, "'pass' must be true or false, got " + pass, content);
    }
    if (!reason.isTextual()) {
      throw unreadable(caseId, "'reason' must be a string, got " + reason, content);
    }
    return new Grade(s, pass.booleanValue(), reason.asText());
  }

  private static TunekitException unreadable(String caseId, String why, String content) {
    return new TunekitException("the judge's verdict for case '" + caseId + "' is unreadable: " + why
        + ". It must be exactly {\"score\":0..1,\"pass\":true|false,\"reason\":\"…\"}; got "
        + Graders.quote(Graders.abbreviate(content, 200)));
  }

  @Override
  public String toString() {
    return "Grader[judge, model=" + judgeModel + "]";
  }
}
