package dev.tunekit.dataset;

import static dev.tunekit.dataset.DatasetFiles.OK;
import static dev.tunekit.dataset.DatasetFiles.PREF;
import static dev.tunekit.dataset.DatasetFiles.bytes;
import static dev.tunekit.dataset.DatasetFiles.lines;
import static dev.tunekit.dataset.DatasetFiles.okThen;
import static dev.tunekit.dataset.DatasetFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every check, each on a small file, asserting the code, the line and the severity. */
class DatasetValidationTest {
  private static final String MODEL = "gpt-4o-mini-2024-07-18";
  @TempDir Path dir;

  private DatasetReport validate(Path file) {
    return Dataset.of(file).validate(MODEL);
  }

  private static Finding only(DatasetReport r, String code) {
    List<Finding> fs = r.findings().stream().filter(f -> f.code().equals(code)).collect(Collectors.toList());
    assertThat(fs).as("findings with code %s in %s", code, r.findings()).hasSize(1);
    return fs.get(0);
  }

  private static void assertFinding(DatasetReport r, String code, long line, Finding.Severity severity) {
    Finding f = only(r, code);
    assertThat(f.line()).as("line of %s", code).isEqualTo(line);
    assertThat(f.severity()).as("severity of %s", code).isEqualTo(severity);
    assertThat(f.message()).isNotBlank();
  }

  @Test
  void aCleanChatDatasetHasNoFindingsAndIsReady() throws Exception {
    DatasetReport r = validate(okThen(dir, 12));
    assertThat(r.findings()).isEmpty();
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.kind()).isEqualTo(DatasetKind.CHAT);
    assertThat(r.examples()).isEqualTo(12);
    assertThat(r.tokens().countedExamples()).isEqualTo(12);
  }

  // ------------------------------------------------------------------ cookbook checks, on line 11

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "data_type|[1,2,3]",
      "data_type|{\"messages\":[\"just text\",{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "missing_messages_list|{\"conversation\":[]}",
      "missing_messages_list|{\"messages\":[]}",
      "message_missing_key|{\"messages\":[{\"content\":\"no role\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "message_missing_key|{\"messages\":[{\"role\":\"user\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "message_unrecognized_key|{\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"mood\":\"x\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "unrecognized_role|{\"messages\":[{\"role\":\"human\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "missing_content|{\"messages\":[{\"role\":\"user\",\"content\":\"\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "missing_content|{\"messages\":[{\"role\":\"user\",\"content\":null},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "example_missing_assistant_message|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
      "content_not_string|{\"messages\":[{\"role\":\"user\",\"content\":42},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "content_not_string|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "invalid_weight|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\",\"weight\":0.5}]}",
      "invalid_weight|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\",\"weight\":\"1\"}]}",
      "invalid_weight|{\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"weight\":1},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "tool_arguments_not_json|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{city: Paris}\"}}]}]}",
      "tool_arguments_not_json|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1,2]\"}}]}]}",
      "invalid_tool_calls|{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"function\":{\"name\":\"f\"}}]}]}",
      "invalid_tools|{\"tools\":[{\"type\":\"retrieval\"}],\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "invalid_parallel_tool_calls|{\"parallel_tool_calls\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "invalid_name|{\"messages\":[{\"role\":\"user\",\"name\":7,\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}",
  })
  void eachShapeCheckReportsItsCodeOnTheBadLine(String code, String badLine) throws Exception {
    DatasetReport r = validate(okThen(dir, 10, badLine, OK));
    assertFinding(r, code, 11, Finding.Severity.ERROR);
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.examples()).isEqualTo(12);
    assertThat(r.tokens().countedExamples()).as("the bad example is not counted").isEqualTo(11);
  }

  @Test
  void anAssistantToolCallWithoutContentIsValidAndItsCallIsCounted() throws Exception {
    String call = "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Get the weather.\","
        + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"City\"},"
        + "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}}}}}],\"parallel_tool_calls\":false,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
        + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
        + "\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\"},"
        + "{\"role\":\"assistant\",\"content\":\"It is 18C.\",\"weight\":1}]}";
    DatasetReport r = validate(okThen(dir, 10, call));
    assertThat(r.findings()).isEmpty();
    assertThat(r.tokens().max()).isGreaterThan(r.tokens().min());
  }

  // ------------------------------------------------------------------ bytes and JSON syntax

  @Test
  void invalidJsonIsReportedWithItsLineAndColumn() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, "{\"messages\": [", OK));
    assertFinding(r, "invalid_json", 11, Finding.Severity.ERROR);
    assertThat(only(r, "invalid_json").message()).contains("column");
  }

  @Test
  void invalidUtf8IsReportedWithTheByteOffset() throws Exception {
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      ok.append(OK).append('\n');
    }
    Path f = bytes(dir, utf8(ok.toString()), utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"caf"),
        new byte[] {(byte) 0xC3, (byte) 0x28}, utf8("\"},{\"role\":\"assistant\",\"content\":\"a\"}]}\n"));
    DatasetReport r = validate(f);
    assertFinding(r, "invalid_utf8", 11, Finding.Severity.ERROR);
    assertThat(only(r, "invalid_utf8").message()).contains("byte 43");
  }

  @Test
  void aByteOrderMarkIsAWarningOnLineOneAndTheLineStillValidates() throws Exception {
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      ok.append(OK).append('\n');
    }
    DatasetReport r = validate(bytes(dir, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(ok.toString())));
    assertFinding(r, "bom", 1, Finding.Severity.WARNING);
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.tokens().countedExamples()).isEqualTo(10);
  }

  @Test
  void crlfLineEndingsAreWarningsOnEveryLineCountedOnce() throws Exception {
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      ok.append(OK).append(i == 3 ? "\r\n" : "\n");
    }
    DatasetReport r = validate(bytes(dir, utf8(ok.toString())));
    assertFinding(r, "crlf", 4, Finding.Severity.WARNING);
    assertThat(r.hasErrors()).isFalse();
  }

  @Test
  void blankLinesAreWarningsAndNotExamples() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, "   ", OK));
    assertFinding(r, "blank_line", 11, Finding.Severity.WARNING);
    assertThat(r.examples()).isEqualTo(11);
    assertThat(r.hasErrors()).isFalse();
  }

  @Test
  void contentAfterTheJsonValueIsReported() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, OK + " " + OK, OK + " trailing"));
    assertThat(r.findings()).filteredOn(f -> f.code().equals("trailing_content"))
        .extracting(Finding::line).containsExactly(11L, 12L);
  }

  @Test
  void excessiveNestingIsAFindingNotAStackOverflow() throws Exception {
    String deep = "{\"messages\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    DatasetReport r = validate(okThen(dir, 10, deep));
    assertFinding(r, "too_deeply_nested", 11, Finding.Severity.ERROR);
  }

  @Test
  void duplicateKeysAreReported() throws Exception {
    DatasetReport r = validate(okThen(dir, 10,
        "{\"messages\":[{\"role\":\"user\",\"role\":\"assistant\",\"content\":\"q\"}]}"));
    assertFinding(r, "duplicate_key", 11, Finding.Severity.ERROR);
    assertThat(only(r, "duplicate_key").message()).contains("role");
  }

  @Test
  void aLineLongerThanTheCapIsReportedWithoutBufferingIt() throws Exception {
    String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(300_000) + "\"}]}";
    Path f = okThen(dir, 10, huge, OK);
    DatasetReport r = new Validator(Contributors.discover().resolve("test-hosted", MODEL), 20, 0, 64 * 1024, 2).validate(f);
    assertFinding(r, "line_too_long", 11, Finding.Severity.ERROR);
    assertThat(r.examples()).isEqualTo(12);
    assertThat(r.tokens().countedExamples()).isEqualTo(11);
  }

  // ------------------------------------------------------------------ limits and counts

  @Test
  void anExampleOverTheModelsContextLimitIsReported() throws Exception {
    // gpt-4.1-nano takes 32,768 tokens per example; " hello" is one token each in o200k_base
    String big = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + " hello".repeat(40_000) + "\"},"
        + "{\"role\":\"assistant\",\"content\":\"ok\"}]}";
    DatasetReport r = Dataset.of(okThen(dir, 10, big)).validate("gpt-4.1-nano-2025-04-14");
    assertFinding(r, "over_context_limit", 11, Finding.Severity.ERROR);
    assertThat(r.tokens().overLimitExamples()).isEqualTo(1);
    assertThat(r.tokens().contextLimit()).isEqualTo(32_768);
    assertThat(r.tokens().billingTokens()).isEqualTo(r.tokens().totalTokens() - r.tokens().max() + 32_768);
  }

  @Test
  void fewerExamplesThanTheProvidersMinimumIsADatasetLevelError() throws Exception {
    DatasetReport r = validate(okThen(dir, 9));
    assertFinding(r, "too_few_examples", 0, Finding.Severity.ERROR);
    assertThat(only(r, "too_few_examples").message()).contains("at least 10");
  }

  @Test
  void modelsHaveTheirOwnMinimumAndMaximum() throws Exception {
    DatasetReport r = Dataset.of(okThen(dir, 12)).validate(new ValidationOptions("test-estimated", "anthropic.claude-3-haiku-20240307-v1:0"));
    assertFinding(r, "too_few_examples", 0, Finding.Severity.ERROR);
    assertThat(only(r, "too_few_examples").message()).contains("at least 32");
  }

  @Test
  void singleTurnModelsRejectMultiTurnExamples() throws Exception {
    String twoTurns = "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"},"
        + "{\"role\":\"user\",\"content\":\"q2\"},{\"role\":\"assistant\",\"content\":\"a2\"}]}";
    DatasetReport r = Dataset.of(okThen(dir, 10, twoTurns)).validate(new ValidationOptions("test-estimated", "llama3.2-1b"));
    assertFinding(r, "multi_turn_unsupported", 11, Finding.Severity.ERROR);
  }

  @Test
  void anUnknownModelIsAWarningAndSkipsLimitAndCost() throws Exception {
    DatasetReport r = validate(okThen(dir, 10));
    assertThat(r.cost()).isPresent();
    DatasetReport u = Dataset.of(okThen(dir, 10)).validate("gpt-9-ultra");
    assertFinding(u, "unknown_model", 0, Finding.Severity.WARNING);
    assertThat(u.cost()).isEmpty();
    assertThat(u.hasErrors()).isFalse();
  }

  @Test
  void allWeightsZeroIsAWarning() throws Exception {
    DatasetReport r = validate(okThen(dir, 10,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\",\"weight\":0}]}"));
    assertFinding(r, "no_trained_tokens", 11, Finding.Severity.WARNING);
  }

  @Test
  void unknownTopLevelKeysAreWarnings() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, OK.replace("{\"messages\"", "{\"id\":7,\"messages\"")));
    assertFinding(r, "example_unrecognized_key", 11, Finding.Severity.WARNING);
  }

  // ------------------------------------------------------------------ preference format

  @Test
  void aPreferenceDatasetIsDetectedAndCounted() throws Exception {
    String[] ls = new String[10];
    java.util.Arrays.fill(ls, PREF);
    DatasetReport r = validate(lines(dir, ls));
    assertThat(r.findings()).isEmpty();
    assertThat(r.kind()).isEqualTo(DatasetKind.PREFERENCE);
    assertThat(r.tokens().countedExamples()).isEqualTo(10);
    assertThat(r.tokens().assistantTokens()).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "invalid_preference_output|{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"a\"}]}",
      "invalid_preference_output|{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]},\"preferred_output\":[{\"role\":\"user\",\"content\":\"a\"}],\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"b\"}]}",
      "missing_messages_list|{\"input\":{},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"a\"}],\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"b\"}]}",
      "unrecognized_role|{\"input\":{\"messages\":[{\"role\":\"robot\",\"content\":\"Hi\"}]},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"a\"}],\"non_preferred_output\":[{\"role\":\"assistant\",\"content\":\"b\"}]}",
  })
  void preferenceChecksReportTheirCodeOnTheBadLine(String code, String bad) throws Exception {
    String[] ls = new String[12];
    java.util.Arrays.fill(ls, PREF);
    ls[10] = bad;
    DatasetReport r = validate(lines(dir, ls));
    assertFinding(r, code, 11, Finding.Severity.ERROR);
  }

  @Test
  void mixingChatAndPreferenceExamplesIsAnError() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, PREF));
    assertFinding(r, "mixed_kinds", 11, Finding.Severity.ERROR);
    assertThat(r.kind()).isEqualTo(DatasetKind.CHAT);
  }

  // ------------------------------------------------------------------ reporting

  @Test
  void findingsAreCappedPerCodeButAllAreCounted() throws Exception {
    String[] ls = new String[60];
    for (int i = 0; i < ls.length; i++) {
      ls[i] = i % 2 == 0 ? "not json" : OK;
    }
    DatasetReport r = Dataset.of(lines(dir, ls)).validate(new ValidationOptions("test-hosted", MODEL).withMaxFindingsPerCode(5));
    assertThat(r.findings()).filteredOn(f -> f.code().equals("invalid_json")).hasSize(5)
        .extracting(Finding::line).containsExactly(1L, 3L, 5L, 7L, 9L);
    assertThat(r.count("invalid_json")).isEqualTo(30);
    assertThat(r.errorCount()).isEqualTo(30);
    assertThat(r.toText()).contains("and 25 more invalid_json");
  }

  @Test
  void allFindingsAreReportedNotJustTheFirst() throws Exception {
    DatasetReport r = validate(okThen(dir, 10, "nope", "[1]", "{\"messages\":[]}"));
    assertThat(r.findings()).extracting(Finding::code, Finding::line)
        .contains(org.assertj.core.groups.Tuple.tuple("invalid_json", 11L),
            org.assertj.core.groups.Tuple.tuple("data_type", 12L),
            org.assertj.core.groups.Tuple.tuple("missing_messages_list", 13L));
  }

  @Test
  void theLastLineNeedsNoNewline() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      b.append(i == 0 ? "" : "\n").append(OK);
    }
    DatasetReport r = validate(bytes(dir, utf8(b.toString() + "\n" + "{oops")));
    assertThat(r.examples()).isEqualTo(11);
    assertFinding(r, "invalid_json", 11, Finding.Severity.ERROR);
  }

  @Test
  void anEmptyFileHasTooFewExamples() throws Exception {
    DatasetReport r = validate(bytes(dir, new byte[0]));
    assertThat(r.examples()).isZero();
    assertFinding(r, "too_few_examples", 0, Finding.Severity.ERROR);
    assertThat(r.cost()).isEmpty();
  }

  @Test
  void aMissingFileIsInvalidInputNamingThePath() {
    Path missing = dir.resolve("nope.jsonl");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> validate(missing))
        .isInstanceOf(dev.tunekit.error.InvalidInputException.class)
        .hasMessageContaining("nope.jsonl").hasMessageContaining("not found");
  }

  @Test
  void resultsDoNotDependOnTheNumberOfWorkerThreads() throws Exception {
    String[] ls = new String[20_000]; // ~2.5 MB: several 1 MB batches
    for (int i = 0; i < ls.length; i++) {
      ls[i] = i % 97 == 0 ? "bad " + i : OK.replace("Hi", "Hi " + "x".repeat(i % 50));
    }
    Path f = lines(dir, ls);
    ModelSpec spec = Contributors.discover().resolve("test-hosted", MODEL);
    DatasetReport one = new Validator(spec, 1000, 0, 1 << 20, 1).validate(f);
    DatasetReport four = new Validator(spec, 1000, 0, 1 << 20, 4).validate(f);
    assertThat(four.findings()).isEqualTo(one.findings());
    assertThat(four.tokens()).isEqualTo(one.tokens());
    assertThat(one.count("invalid_json")).isEqualTo(207);
    assertThat(one.examples()).isEqualTo(20_000);
  }
}
