package dev.tunekit.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.dataset.ConversionRefusedException;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.error.TunekitException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chat JSONL to Gemini tuning JSONL, and the lossy conversions that are refused. */
class GeminiFormatTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final GeminiFormat.Converter converter = new GeminiFormat.Converter();
  @TempDir Path dir;

  JsonNode convert(String line) throws Exception {
    return converter.convert(JSON.readTree(line));
  }

  @Test
  void convertsSystemUserAssistant_toSystemInstructionAndUserModelContents() throws Exception {
    JsonNode out = convert("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"system\",\"content\":\"Use SQL.\"},{\"role\":\"user\",\"content\":\"q1\"},"
        + "{\"role\":\"assistant\",\"content\":\"a1\"},{\"role\":\"user\",\"content\":\"q2\"},"
        + "{\"role\":\"assistant\",\"content\":\"a2\"}]}");
    assertThat(out).isEqualTo(JSON.readTree("{\"systemInstruction\":{\"role\":\"system\",\"parts\":[{\"text\":\"Be brief.\"},"
        + "{\"text\":\"Use SQL.\"}]},\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"q1\"}]},"
        + "{\"role\":\"model\",\"parts\":[{\"text\":\"a1\"}]},{\"role\":\"user\",\"parts\":[{\"text\":\"q2\"}]},"
        + "{\"role\":\"model\",\"parts\":[{\"text\":\"a2\"}]}]}"));
    assertThat(convert("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}")
        .has("systemInstruction")).isFalse();
  }

  @Test
  void refusesWhatGeminiCannotHold_withTheReason() {
    String[][] cases = {
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{}]}]}", "tool calls"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"tool\",\"content\":\"r\"}]}", "tool calls"},
        {"{\"tools\":[],\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "\"tools\""},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\",\"name\":\"bob\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "\"name\""},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\",\"weight\":0}]}", "weight 0"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "systemInstruction"},
        {"{\"messages\":[{\"role\":\"developer\",\"content\":\"d\"},{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "role 'developer'"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"user\",\"content\":\"q2\"},{\"role\":\"assistant\",\"content\":\"a\"}]}", "alternating"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "must end with an assistant"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]},{\"role\":\"assistant\",\"content\":\"a\"}]}", "not plain text"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> convert(c[0])).as(c[0]).isInstanceOf(ConversionRefusedException.class)
          .hasMessageContaining(c[1]);
    }
    assertThat(converter.refusal(DatasetKind.PREFERENCE)).get().asString().contains("non_preferred_output");
  }

  @Test
  void throughTheCore_aRefusedLineIsNamedWithItsFileAndLine() throws Exception {
    Path f = dir.resolve("train.jsonl");
    Files.writeString(f, "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}]}\n"
        + "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\","
        + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"r\"},{\"role\":\"assistant\",\"content\":\"done\"}]}\n");
    assertThatThrownBy(() -> Dataset.of(f).prepare(GeminiFormat.FORMAT, dir.resolve("o")))
        .isInstanceOf(TunekitException.class).hasMessageContaining(":2").hasMessageContaining("tool calls");
  }
}
