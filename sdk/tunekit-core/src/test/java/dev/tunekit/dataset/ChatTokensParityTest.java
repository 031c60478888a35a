package dev.tunekit.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token counts must equal tiktoken's. The expected numbers in {@code tiktoken-parity.json} were
 * produced by the official tiktoken WASM build (npm {@code tiktoken}) with
 * {@code benchmarks/tiktoken/parity.mjs}; see that script for how to regenerate them.
 */
class ChatTokensParityTest {
  private static JsonNode fixture() throws Exception {
    try (InputStream in = ChatTokensParityTest.class.getResourceAsStream("tiktoken-parity.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"o200k_base", "cl100k_base"})
  void textCountsEqualTiktokenForAsciiCjkEmojiJsonAndWhitespace(String encoding) throws Exception {
    JsonNode f = fixture();
    ChatTokens tokens = ChatTokens.forEncoding(encoding);
    JsonNode strings = f.get("strings");
    JsonNode expected = f.get(encoding).get("strings");
    assertThat(strings.size()).isEqualTo(expected.size()).isGreaterThan(15);
    for (int i = 0; i < strings.size(); i++) {
      String s = strings.get(i).asText();
      assertThat(tokens.text(s)).as("%s tokens of string #%d %s", encoding, i, s).isEqualTo(expected.get(i).asInt());
      // twice, and through the cache used for system prompts: same counts
      assertThat(tokens.repeatedText(s)).isEqualTo(expected.get(i).asInt());
      assertThat(tokens.repeatedText(s)).isEqualTo(expected.get(i).asInt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"o200k_base", "cl100k_base"})
  void chatCountsEqualTheCookbookFormulaOverTiktoken(String encoding) throws Exception {
    JsonNode f = fixture();
    ChatTokens tokens = ChatTokens.forEncoding(encoding);
    JsonNode chats = f.get("chats");
    for (int i = 0; i < chats.size(); i++) {
      int n = ChatTokens.REPLY_PRIMING;
      for (JsonNode m : chats.get(i).get("messages")) {
        n += tokens.message(m);
      }
      assertThat(n).as("%s chat #%d", encoding, i).isEqualTo(f.get(encoding).get("chats").get(i).asInt());
    }
  }
}
