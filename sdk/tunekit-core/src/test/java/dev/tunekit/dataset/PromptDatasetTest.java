package dev.tunekit.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reinforcement fine-tuning data: messages ending with a user turn plus reference fields the grader reads
 * (OpenAI's and Bedrock's RFT format) are their own kind, {@link DatasetKind#PROMPTS}; a chat line that merely
 * lacks its answer stays a chat error.
 */
class PromptDatasetTest {
  static final String PROMPT = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
      + "{\"role\":\"user\",\"content\":\"2+2?\"}],\"reference_answer\":\"4\"}";
  @TempDir Path dir;

  static Path prompts(Path dir, int n, String... then) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(PROMPT);
    }
    lines.addAll(List.of(then));
    return Files.write(dir.resolve("prompts.jsonl"), lines);
  }

  @Test
  void promptsWithReferenceFieldsAreTheirOwnKind_valid_andCounted() throws Exception {
    DatasetReport r = Dataset.of(prompts(dir, 12)).validate("gpt-4o-mini-2024-07-18");
    assertThat(r.findings()).isEmpty();
    assertThat(r.kind()).isEqualTo(DatasetKind.PROMPTS);
    assertThat(r.tokens().countedExamples()).isEqualTo(12);
    assertThat(r.tokens().assistantTokens()).isZero(); // the model's own answers are what trains
  }

  @Test
  void aChatLineWithoutItsAnswerIsStillAChatError_andSaysWhatAPromptNeeds() throws Exception {
    Path f = Files.write(dir.resolve("t.jsonl"), List.of("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"));
    DatasetReport r = Dataset.of(f).validate("gpt-4o-mini-2024-07-18");
    assertThat(r.kind()).isEqualTo(DatasetKind.CHAT);
    assertThat(r.findings()).anySatisfy(x -> {
      assertThat(x.code()).isEqualTo("example_missing_assistant_message");
      assertThat(x.line()).isEqualTo(1);
      assertThat(x.message()).contains("reference_answer");
    });
  }

  @Test
  void badPromptsAreErrorsOnTheirLine() throws Exception {
    Path f = prompts(dir, 10,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"weight\":1}],\"reference_answer\":\"a\"}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"reference_answer\":\"a\"}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}");
    DatasetReport r = Dataset.of(f).validate("gpt-4o-mini-2024-07-18");
    assertThat(r.kind()).isEqualTo(DatasetKind.PROMPTS);
    assertThat(r.findings()).extracting(Finding::code, Finding::line).contains(
        org.assertj.core.groups.Tuple.tuple("invalid_weight", 11L),
        org.assertj.core.groups.Tuple.tuple("missing_content", 12L),
        org.assertj.core.groups.Tuple.tuple("mixed_kinds", 13L));
    assertThat(r.findings()).filteredOn(x -> x.code().equals("mixed_kinds")).first()
        .extracting(Finding::message).asString().contains("chat example but line 1 is a prompt (reinforcement)");
  }

  @Test
  void promptsPrepareAsPromptJsonlWithTheirReferenceFields_andNeverAsChat() throws Exception {
    Path f = prompts(dir, 10);
    ConvertedFile out = Dataset.of(f).prepare(DatasetFormat.PROMPT_JSONL, dir.resolve("out"), 0, 1).training();
    assertThat(Files.readAllLines(out.path())).hasSize(10).allSatisfy(l -> assertThat(l).isEqualTo(PROMPT));
    assertThat(DatasetFormat.neutral(DatasetKind.PROMPTS)).isEqualTo(DatasetFormat.PROMPT_JSONL);
    assertThatThrownBy(() -> Dataset.of(f).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("chat"), 0, 1))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no assistant answer to imitate");
  }
}
