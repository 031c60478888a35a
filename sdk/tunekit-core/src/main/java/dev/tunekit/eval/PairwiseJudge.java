package dev.tunekit.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatModel;
import dev.tunekit.model.ChatRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A pairwise LLM judge: on each case, which of two answers (the baseline's and the tuned model's) is
 * better. It asks twice, once with the baseline as answer A and once with the tuned answer as A, so that
 * a judge that favours a position cannot make either side win: a preference counts only when both orders
 * agree; when they disagree the case is a tie and is reported as {@link Verdict#consistent() inconsistent}.
 *
 * <p>Calibrate it on pairs a person labelled ({@link #calibrate(List)}) to know how far to trust it: the
 * {@link PairwiseReport#checkTunedPreferred gate} refuses a judge whose agreement is unknown or whose
 * Cohen's kappa is below the threshold you give.
 *
 * <pre>{@code
 * PairwiseJudge judge = PairwiseJudge.of(judgeModel, "gpt-4o", "Prefer the answer that is a correct query.")
 *     .calibrate(HumanLabel.load(Path.of("judge-labels.jsonl")));
 * PairwiseReport pairwise = judge.compare(comparison);
 * GateResult gate = pairwise.checkTunedPreferred(0.10, 0.6);
 * }</pre>
 */
public final class PairwiseJudge {

  /** Which answer of a pair is better. */
  public enum Preference {
    /** The baseline's answer. */
    BASELINE,
    /** The tuned model's answer. */
    TUNED,
    /** Neither: equally good or equally bad (or the two orders disagreed). */
    TIE
  }

  /**
   * The judge's decision on one case.
   *
   * @param caseId the case
   * @param preference the preference both orders agree on, else {@link Preference#TIE}
   * @param baselineFirst the verdict with the baseline's answer shown as A
   * @param tunedFirst the verdict with the tuned answer shown as A
   * @param reason the judge's reasons, both orders
   */
  public record Verdict(String caseId, Preference preference, Preference baselineFirst, Preference tunedFirst,
      String reason) {
    /** Canonical constructor. */
    public Verdict {
      Objects.requireNonNull(caseId, "caseId");
      Objects.requireNonNull(preference, "preference");
      Objects.requireNonNull(baselineFirst, "baselineFirst");
      Objects.requireNonNull(tunedFirst, "tunedFirst");
      Objects.requireNonNull(reason, "reason");
    }

    /** Whether both orders gave the same preference (a judge with position bias often does not). */
    public boolean consistent() {
      return baselineFirst == tunedFirst;
    }
  }

  /**
   * The system prompt of every call. The user message then holds {@code ## Criteria}, {@code ##
   * Conversation}, {@code ## Reference answer} (when the case has one), {@code ## Answer A} and
   * {@code ## Answer B}.
   */
  public static final String SYSTEM_PROMPT = """
      You compare two answers of AI assistants to the same conversation. Decide which answer is better \
      according to the criteria (and the reference answer, when one is given). The order of the answers \
      means nothing; do not let it or the answers' length influence you. If both are equally good or \
      equally bad, say tie.
      Reply with exactly one JSON object and nothing else — no prose, no code fence:
      {"winner": "A" or "B" or "tie", "reason": "<one short sentence>"}""";

  private static final ObjectMapper VERDICT_JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final Set<String> KEYS = Set.of("winner", "reason");

  private final ChatModel judge;
  private final String judgeModel;
  private final String criteria;
  private final Optional<JudgeAgreement> agreement;

  private PairwiseJudge(ChatModel judge, String judgeModel, String criteria, Optional<JudgeAgreement> agreement) {
    this.judge = Objects.requireNonNull(judge, "judge");
    this.judgeModel = Objects.requireNonNull(judgeModel, "judgeModel");
    this.criteria = Objects.requireNonNull(criteria, "criteria");
    if (criteria.isBlank()) {
      throw new InvalidInputException("a pairwise judge needs non-blank criteria, such as 'Prefer the correct answer'");
    }
    this.agreement = agreement;
  }

  /**
   * A judge that asks {@code judge} (any chat model; wrap it with {@link EvalCache#cached} to avoid paying
   * twice) which answer better meets {@code criteria}.
   *
   * @param judgeModel the judge's model id
   */
  public static PairwiseJudge of(ChatModel judge, String judgeModel, String criteria) {
    return new PairwiseJudge(judge, judgeModel, criteria, Optional.empty());
  }

  /** The judge's model id. */
  public String judgeModel() {
    return judgeModel;
  }

  /**
   * A copy whose judge model answers through {@code cache} (namespace {@code pairwise:<judgeModel>}), with the same
   * criteria and agreement: asking it again about the same pair costs nothing. A run gated by this judge does this
   * with its evaluation cache, so a resumed run does not ask again what it asked before it stopped.
   */
  public PairwiseJudge cachedIn(EvalCache cache) {
    Objects.requireNonNull(cache, "cache");
    return new PairwiseJudge(cache.cached("pairwise:" + judgeModel, judge), judgeModel, criteria, agreement);
  }

  /** The agreement with human labels measured by {@link #calibrate}, if it was. */
  public Optional<JudgeAgreement> agreement() {
    return agreement;
  }

  /**
   * Judges every labelled pair (both orders, as {@link #judge} does) and returns a copy of this judge
   * that carries its {@link #agreement() agreement} with the labels.
   */
  public PairwiseJudge calibrate(List<HumanLabel> labels) {
    if (labels.isEmpty()) {
      throw new InvalidInputException("calibration needs at least one human label");
    }
    List<Preference> judged = new ArrayList<>();
    List<Preference> human = new ArrayList<>();
    for (HumanLabel l : labels) {
      judged.add(judge(l.toCase(), l.baseline(), l.tuned()).preference());
      human.add(l.label());
    }
    return new PairwiseJudge(judge, judgeModel, criteria, Optional.of(JudgeAgreement.of(judged, human)));
  }

  /** {@link #calibrate(List)} on the labels in {@code file} (see {@link HumanLabel#load}). */
  public PairwiseJudge calibrate(Path file) {
    return calibrate(HumanLabel.load(file));
  }

  /**
   * Asks in both orders which answer is better.
   *
   * @throws TunekitException when a reply is not exactly the verdict JSON, naming the case and the order
   */
  public Verdict judge(EvalCase testCase, String baselineOutput, String tunedOutput) {
    Objects.requireNonNull(baselineOutput, "baselineOutput");
    Objects.requireNonNull(tunedOutput, "tunedOutput");
    Reply first = parseReply(judge.chat(request(testCase, baselineOutput, tunedOutput)).content(), testCase.id(),
        "baseline as A");
    Reply second = parseReply(judge.chat(request(testCase, tunedOutput, baselineOutput)).content(), testCase.id(),
        "tuned as A");
    Preference p1 = switch (first.winner()) {
      case "A" -> Preference.BASELINE;
      case "B" -> Preference.TUNED;
      default -> Preference.TIE;
    };
    Preference p2 = switch (second.winner()) {
      case "A" -> Preference.TUNED;
      case "B" -> Preference.BASELINE;
      default -> Preference.TIE;
    };
    return new Verdict(testCase.id(), p1 == p2 ? p1 : Preference.TIE, p1, p2,
        "baseline as A: " + first.reason() + " | tuned as A: " + second.reason());
  }

  /**
   * Judges every case answered by both {@code baseline} and {@code tuned} (reports of the same suite).
   * A case either side has no answer for is listed in {@link PairwiseReport#unanswered()}.
   */
  public PairwiseReport compare(EvalReport baseline, EvalReport tuned) {
    if (!baseline.suiteFingerprint().equals(tuned.suiteFingerprint())) {
      throw new InvalidInputException("cannot compare reports of different suites (" + baseline.suite() + "@"
          + baseline.suiteFingerprint() + " vs " + tuned.suite() + "@" + tuned.suiteFingerprint()
          + "); evaluate both targets on the same suite");
    }
    Map<String, CaseResult> before = baseline.cases().stream()
        .collect(Collectors.toMap(CaseResult::id, Function.identity(), (a, b) -> a));
    List<Verdict> verdicts = new ArrayList<>();
    List<String> unanswered = new ArrayList<>();
    for (CaseResult after : tuned.cases()) {
      CaseResult b = before.get(after.id());
      if (b == null || b.output().isEmpty() || after.output().isEmpty()) {
        unanswered.add(after.id());
        continue;
      }
      EvalCase c = new EvalCase(after.id(), after.messages(), after.expected(), after.tags(), Map.of());
      verdicts.add(judge(c, b.output().get(), after.output().get()));
    }
    return new PairwiseReport(baseline.target(), tuned.target(), judgeModel, verdicts, unanswered, agreement);
  }

  /** {@link #compare(EvalReport, EvalReport)} on a comparison's baseline and its gated (tuned) report. */
  public PairwiseReport compare(EvalComparison comparison) {
    return compare(comparison.baseline(), comparison.gated());
  }

  ChatRequest request(EvalCase testCase, String answerA, String answerB) {
    StringBuilder user = new StringBuilder();
    user.append("## Criteria\n").append(criteria.strip()).append("\n\n## Conversation\n");
    for (ChatMessage m : testCase.messages()) {
      user.append('[').append(m.role()).append("] ").append(m.content()).append('\n');
    }
    testCase.expected().ifPresent(e -> user.append("\n## Reference answer\n").append(e).append('\n'));
    user.append("\n## Answer A\n").append(answerA).append('\n');
    user.append("\n## Answer B\n").append(answerB).append('\n');
    return ChatRequest.of(judgeModel, List.of(ChatMessage.system(SYSTEM_PROMPT), ChatMessage.user(user.toString())));
  }

  record Reply(String winner, String reason) {}

  /** Parses one reply: exactly {@code {"winner":"A"|"B"|"tie","reason":"…"}}, nothing else. */
  static Reply parseReply(String content, String caseId, String order) {
    JsonNode node;
    try {
      node = VERDICT_JSON.readTree(content.strip());
    } catch (JsonProcessingException e) {
      throw unreadable(caseId, order, "it is not a single JSON object (" + Graders.jsonError(e) + ")", content);
    }
    if (node == null || !node.isObject()) {
      throw unreadable(caseId, order, "it is not a JSON object", content);
    }
    Set<String> keys = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    if (!keys.equals(new TreeSet<>(KEYS))) {
      throw unreadable(caseId, order, "keys must be exactly winner, reason; got " + keys, content);
    }
    JsonNode winner = node.get("winner");
    if (!winner.isTextual() || !Set.of("A", "B", "tie").contains(winner.asText())) {
      throw unreadable(caseId, order, "'winner' must be \"A\", \"B\" or \"tie\", got " + winner, content);
    }
    if (!node.get("reason").isTextual()) {
      throw unreadable(caseId, order, "'reason' must be a string, got " + node.get("reason"), content);
    }
    return new Reply(winner.asText(), node.get("reason").asText());
  }

  private static TunekitException unreadable(String caseId, String order, String why, String content) {
    return new TunekitException("the pairwise judge's verdict for case '" + caseId + "' (" + order
        + ") is unreadable: " + why + ". It must be exactly {\"winner\":\"A\"|\"B\"|\"tie\",\"reason\":\"…\"};"
        + " got " + Graders.quote(Graders.abbreviate(content, 200)));
  }

  @Override
  public String toString() {
    return "PairwiseJudge[model=" + judgeModel + agreement.map(a -> ", agreement " + a.format()).orElse("") + "]";
  }
}
