package dev.tunekit.eval;

import dev.tunekit.error.TunekitException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.MetricPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import java.util.Optional;
import java.util.OptionalDouble;

/** JSON form of reports and comparisons. Summary figures are written for readers and ignored on read. */
final class ReportJson {
  static final String REPORT_FORMAT = "tunekit-eval-report/1";
  static final String COMPARISON_FORMAT = "tunekit-eval-comparison/1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  static String write(EvalReport r) {
    return pretty(node(r));
  }

  static String write(EvalComparison c) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", COMPARISON_FORMAT);
    root.put("baseline", c.baseline().target());
    ArrayNode reports = root.putArray("reports");
    c.reports().forEach(r -> reports.add(node(r)));
    ArrayNode flips = root.putArray("flips");
    for (Flip f : c.flips()) {
      ObjectNode n = flips.addObject();
      n.put("case", f.caseId());
      n.put("baseline", f.baseline());
      n.put("target", f.target());
      n.put("before", f.before().name());
      n.put("after", f.after().name());
      n.put("improved", f.improved());
    }
    gate(root.putObject("gate"), c);
    c.run().ifPresentOrElse(r -> run(root.putObject("run"), r), () -> root.putNull("run"));
    return pretty(root);
  }

  /** The gate's decision and the figures behind it, as the HTML page shows them. */
  private static void gate(ObjectNode n, EvalComparison c) {
    n.put("decision", c.decision());
    c.gate().ifPresent(g -> n.put("requirement", g.gate()).put("passed", g.passed()).put("message", g.message()));
    c.run().flatMap(r -> r.gateMinImprovement().isPresent()
        ? java.util.Optional.of(r.gateMinImprovement().getAsDouble()) : java.util.Optional.empty())
        .ifPresent(m -> n.put("minImprovement", m));
    EvalReport base = c.baseline();
    EvalReport tuned = c.gated();
    n.put("baseline", base.target());
    n.put("tuned", tuned.target());
    PassRate b = base.passRate();
    PassRate t = tuned.passRate();
    if (b.judged() > 0 && t.judged() > 0) {
      n.put("difference", t.rate() - b.rate());
    } else {
      n.putNull("difference");
    }
  }

  private static void run(ObjectNode n, RunContext r) {
    n.put("runId", r.runId());
    n.put("provider", r.provider());
    n.put("baseModel", r.baseModel());
    n.put("fineTunedModel", r.fineTunedModel().orElse(null));
    n.put("jobId", r.jobId().orElse(null));
    n.put("createdAt", r.createdAt().toString());
    ObjectNode settings = n.putObject("settings");
    r.settings().forEach(settings::put);
    n.put("trainingFile", r.trainingFile().orElse(null));
    put(n, "trainingExamples", r.trainingExamples());
    n.put("validationFile", r.validationFile().orElse(null));
    put(n, "validationExamples", r.validationExamples());
    put(n, "gateMinImprovement", r.gateMinImprovement());
    ArrayNode preamble = n.putArray("baselinePreamble");
    r.baselinePreamble().forEach(m -> preamble.addObject().put("role", m.role()).put("content", m.content()));
  }

  private static void put(ObjectNode n, String key, java.util.OptionalLong v) {
    if (v.isPresent()) {
      n.put(key, v.getAsLong());
    } else {
      n.putNull(key);
    }
  }

  private static String pretty(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new TunekitException("cannot serialise an eval report", e);
    }
  }

  static ObjectNode node(EvalReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", REPORT_FORMAT);
    root.put("suite", r.suite());
    root.put("suiteFingerprint", r.suiteFingerprint());
    root.put("target", r.target());
    root.put("model", r.model());
    root.put("provider", r.provider());
    root.put("startedAt", r.startedAt().toString());
    root.put("elapsed", r.elapsed().toString());
    root.put("calls", r.calls());
    root.put("cacheHits", r.cacheHits());
    ObjectNode summary = root.putObject("summary");
    rate(summary.putObject("passRate"), r.passRate());
    ObjectNode byGrader = summary.putObject("byGrader");
    r.passRateByGrader().forEach((k, v) -> rate(byGrader.putObject(k), v));
    ObjectNode byTag = summary.putObject("byTag");
    r.passRateByTag().forEach((k, v) -> rate(byTag.putObject(k), v));
    ArrayNode cases = root.putArray("cases");
    for (CaseResult c : r.cases()) {
      ObjectNode n = cases.addObject();
      n.put("id", c.id());
      ArrayNode tags = n.putArray("tags");
      c.tags().forEach(tags::add);
      ArrayNode ms = n.putArray("messages");
      c.messages().forEach(m -> ms.addObject().put("role", m.role()).put("content", m.content()));
      n.put("expected", c.expected().orElse(null));
      n.put("output", c.output().orElse(null));
      n.put("outcome", c.outcome().name());
      ArrayNode grades = n.putArray("grades");
      for (GraderResult g : c.grades()) {
        grades.addObject().put("grader", g.grader()).put("outcome", g.outcome().name())
            .put("score", g.score()).put("reason", g.reason());
      }
      n.put("error", c.error().orElse(null));
      n.put("latency", c.latency().toString());
      n.put("cached", c.cached());
    }
    ArrayNode metrics = root.putArray("trainingMetrics");
    for (MetricPoint p : r.trainingMetrics()) {
      ObjectNode n = metrics.addObject();
      n.put("step", p.step());
      put(n, "trainLoss", p.trainLoss());
      put(n, "validLoss", p.validLoss());
      put(n, "trainAccuracy", p.trainAccuracy());
      put(n, "validAccuracy", p.validAccuracy());
    }
    return root;
  }

  private static void put(ObjectNode n, String key, OptionalDouble v) {
    if (v.isPresent()) {
      n.put(key, v.getAsDouble());
    } else {
      n.putNull(key);
    }
  }

  private static void rate(ObjectNode n, PassRate r) {
    n.put("passed", r.passed());
    n.put("failed", r.failed());
    n.put("errors", r.errors());
    if (r.judged() == 0) {
      n.putNull("rate");
    } else {
      n.put("rate", r.rate());
    }
    n.put("low", r.low());
    n.put("high", r.high());
  }

  static EvalReport readReport(String json, String source) {
    JsonNode root = parse(json, source);
    return report(root, source);
  }

  /** A comparison as read back: its reports, and its run and gate when it has them. */
  record Comparison(List<EvalReport> reports, Optional<RunContext> run, Optional<GateResult> gate) {}

  static Comparison readComparison(String json, String source) {
    JsonNode root = parse(json, source);
    if (!COMPARISON_FORMAT.equals(root.path("format").asText())) {
      throw new InvalidInputException("not an eval comparison: 'format' must be " + COMPARISON_FORMAT, source);
    }
    List<EvalReport> out = new ArrayList<>();
    for (JsonNode r : root.path("reports")) {
      out.add(report(r, source));
    }
    try {
      JsonNode g = root.path("gate");
      Optional<GateResult> gate = g.hasNonNull("requirement") && g.hasNonNull("message")
          ? Optional.of(new GateResult(g.get("requirement").asText(), g.path("passed").asBoolean(),
              g.get("message").asText()))
          : Optional.empty();
      JsonNode r = root.path("run");
      Optional<RunContext> run = Optional.empty();
      if (r.isObject()) {
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        r.path("settings").fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        List<ChatMessage> preamble = new ArrayList<>();
        r.path("baselinePreamble").forEach(m -> preamble.add(new ChatMessage(text(m, "role"), text(m, "content"))));
        run = Optional.of(new RunContext(text(r, "runId"), text(r, "provider"), text(r, "baseModel"),
            optional(r, "fineTunedModel"), optional(r, "jobId"), Instant.parse(text(r, "createdAt")), settings,
            optional(r, "trainingFile"), optionalLong(r, "trainingExamples"), optional(r, "validationFile"),
            optionalLong(r, "validationExamples"), optionalDouble(r, "gateMinImprovement"), preamble));
      }
      return new Comparison(out, run, gate);
    } catch (RuntimeException e) {
      if (e instanceof InvalidInputException) {
        throw e;
      }
      throw new InvalidInputException("malformed eval comparison: " + e.getMessage(), source, e);
    }
  }

  private static java.util.OptionalLong optionalLong(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(v.asLong());
  }

  private static JsonNode parse(String json, String source) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException("not valid JSON: " + Graders.jsonError(e), source);
    }
  }

  private static EvalReport report(JsonNode root, String source) {
    if (!REPORT_FORMAT.equals(root.path("format").asText())) {
      throw new InvalidInputException("not an eval report: 'format' must be " + REPORT_FORMAT, source);
    }
    try {
      List<CaseResult> cases = new ArrayList<>();
      for (JsonNode n : root.path("cases")) {
        List<String> tags = new ArrayList<>();
        n.path("tags").forEach(t -> tags.add(t.asText()));
        List<ChatMessage> messages = new ArrayList<>();
        n.path("messages").forEach(m -> messages.add(new ChatMessage(text(m, "role"), text(m, "content"))));
        List<GraderResult> grades = new ArrayList<>();
        for (JsonNode g : n.path("grades")) {
          grades.add(new GraderResult(text(g, "grader"), Outcome.valueOf(text(g, "outcome")),
              g.path("score").asDouble(), text(g, "reason")));
        }
        cases.add(new CaseResult(text(n, "id"), tags, messages, optional(n, "expected"), optional(n, "output"),
            Outcome.valueOf(text(n, "outcome")), grades, optional(n, "error"), Duration.parse(text(n, "latency")),
            n.path("cached").asBoolean()));
      }
      List<MetricPoint> metrics = new ArrayList<>();
      for (JsonNode p : root.path("trainingMetrics")) {
        metrics.add(new MetricPoint(p.path("step").asLong(), optionalDouble(p, "trainLoss"),
            optionalDouble(p, "validLoss"), optionalDouble(p, "trainAccuracy"), optionalDouble(p, "validAccuracy")));
      }
      return new EvalReport(text(root, "suite"), text(root, "suiteFingerprint"), text(root, "target"),
          text(root, "model"), text(root, "provider"), Instant.parse(text(root, "startedAt")),
          Duration.parse(text(root, "elapsed")), root.path("calls").asLong(), root.path("cacheHits").asLong(),
          cases, metrics);
    } catch (RuntimeException e) {
      if (e instanceof InvalidInputException) {
        throw e;
      }
      throw new InvalidInputException("malformed eval report: " + e.getMessage(), source, e);
    }
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isValueNode() || v.isNull()) {
      throw new InvalidInputException("malformed eval report: missing '" + key + "'");
    }
    return v.asText();
  }

  private static Optional<String> optional(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  private static OptionalDouble optionalDouble(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? OptionalDouble.empty() : OptionalDouble.of(v.asDouble());
  }

}
