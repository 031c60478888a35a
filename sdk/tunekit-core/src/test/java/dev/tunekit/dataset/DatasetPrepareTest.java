package dev.tunekit.dataset;

import static dev.tunekit.dataset.DatasetFiles.OK;
import static dev.tunekit.dataset.DatasetFiles.PREF;
import static dev.tunekit.dataset.DatasetFiles.bytes;
import static dev.tunekit.dataset.DatasetFiles.lines;
import static dev.tunekit.dataset.DatasetFiles.okThen;
import static dev.tunekit.dataset.DatasetFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPrepareTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  private Path numbered(int n) throws Exception {
    String[] ls = new String[n];
    for (int i = 0; i < n; i++) {
      ls[i] = OK.replace("\"Hi\"", "\"Hi " + i + "\"");
    }
    return lines(dir, ls);
  }

  @Test
  void printsAsItsFile() {
    // JShell echoes a new variable through toString(); it showed Dataset@336d4bf4
    assertThat(Dataset.of(java.nio.file.Path.of("data", "train.jsonl")))
        .hasToString("Dataset[" + java.nio.file.Path.of("data", "train.jsonl") + "]");
  }

  @Test
  void chatJsonlIsWrittenAsIsWithTheSha256OfTheFile() throws Exception {
    Path src = numbered(20);
    PreparedDataset p = Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("out"));
    assertThat(p.validation()).isEmpty();
    assertThat(p.training().examples()).isEqualTo(20);
    assertThat(p.training().format()).isEqualTo(DatasetFormat.CHAT_JSONL);
    assertThat(Files.readString(p.training().path())).isEqualTo(Files.readString(src));
    assertThat(p.training().sha256()).isEqualTo(sha256(p.training().path()));
    assertThat(p.training().sizeBytes()).isEqualTo(Files.size(p.training().path()));
  }

  @Test
  void bomCrlfAndBlankLinesAreNormalisedAway() throws Exception {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      s.append(OK).append("\r\n").append(i == 4 ? "\n" : "");
    }
    Path src = bytes(dir, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(s.toString()));
    PreparedDataset p = Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("out"));
    byte[] out = Files.readAllBytes(p.training().path());
    assertThat(out[0]).isEqualTo((byte) '{');
    assertThat(new String(out, StandardCharsets.UTF_8)).doesNotContain("\r").doesNotContain("\n\n");
    assertThat(p.training().examples()).isEqualTo(10);
  }

  @Test
  void theSplitIsDeterministicBySeedAndHoldsOutTheRoundedFraction() throws Exception {
    Path src = numbered(100);
    PreparedDataset a = Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("a"), 0.2, 7);
    PreparedDataset b = Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("b"), 0.2, 7);
    PreparedDataset c = Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("c"), 0.2, 8);
    assertThat(a.validation()).isPresent();
    assertThat(a.validation().get().examples()).isEqualTo(20);
    assertThat(a.training().examples()).isEqualTo(80);
    assertThat(a.training().sha256()).isEqualTo(b.training().sha256());
    assertThat(a.validation().get().sha256()).isEqualTo(b.validation().get().sha256());
    assertThat(a.validation().get().sha256()).isNotEqualTo(c.validation().get().sha256());
    List<String> all = new java.util.ArrayList<>(Files.readAllLines(a.training().path()));
    all.addAll(Files.readAllLines(a.validation().get().path()));
    assertThat(all).containsExactlyInAnyOrderElementsOf(Files.readAllLines(src));
  }

  @Test
  void aSmallFractionStillHoldsOutOneExample() throws Exception {
    PreparedDataset p = Dataset.of(numbered(10)).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("o"), 0.01, 1);
    assertThat(p.validation().orElseThrow().examples()).isEqualTo(1);
    assertThat(p.training().examples()).isEqualTo(9);
  }

  @Test
  void aFractionOutsideZeroToOneIsRefused() throws Exception {
    Path src = numbered(10);
    assertThatThrownBy(() -> Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("o"), 1.0, 1))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("validationFraction");
  }

  @Test
  void aDatasetWithErrorsIsRefusedWithTheFirstErrorsLocation() throws Exception {
    Path src = okThen(dir, 3, "{broken", OK);
    assertThatThrownBy(() -> Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("invalid_json")
        .satisfies(e -> assertThat(((InvalidInputException) e).location()).contains(src + ":4"));
    assertThat(dir.resolve("o")).doesNotExist();
  }

  @Test
  void preferencePairsCannotBecomeChat() throws Exception {
    Path src = lines(dir, PREF, PREF);
    assertThatThrownBy(() -> Dataset.of(src).prepare(DatasetFormat.CHAT_JSONL, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("non_preferred_output");
    PreparedDataset p = Dataset.of(src).prepare(DatasetFormat.PREFERENCE_JSONL, dir.resolve("o"));
    assertThat(p.training().examples()).isEqualTo(2);
  }

  @Test
  void chatCannotBecomePreference() throws Exception {
    assertThatThrownBy(() -> Dataset.of(okThen(dir, 2)).prepare(DatasetFormat.PREFERENCE_JSONL, dir.resolve("o")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("preferred");
  }

}
