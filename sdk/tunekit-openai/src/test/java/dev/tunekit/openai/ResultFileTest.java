package dev.tunekit.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.MetricPoint;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultFileTest {

  private static List<MetricPoint> parse(String s) {
    return ResultFile.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsColumnsByHeaderNameNotPosition() {
    List<MetricPoint> points = parse("train_loss,step,valid_loss\r\n0.9,10,\r\n0.8,20,0.85\r\n");

    assertThat(points).extracting(MetricPoint::step).containsExactly(10L, 20L);
    assertThat(points.get(0).trainLoss()).hasValue(0.9);
    assertThat(points.get(0).validLoss()).isEmpty();
    assertThat(points.get(1).validLoss()).hasValue(0.85);
    assertThat(points.get(1).trainAccuracy()).isEmpty();
  }

  @Test
  void decodesBase64ContentWithLineBreaks() {
    String csv = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,2.0,0.5,,\n";
    String b64 = Base64.getMimeEncoder().encodeToString(csv.getBytes(StandardCharsets.UTF_8));

    List<MetricPoint> points = parse(b64);

    assertThat(points).hasSize(1);
    assertThat(points.get(0).trainAccuracy()).hasValue(0.5);
  }

  @Test
  void skipsRowsWithoutAStepAndKeepsStepOrder() {
    List<MetricPoint> points = parse("step,train_loss\n3,1.0\n,2.0\nx,3.0\n1,4.0\n");

    assertThat(points).extracting(MetricPoint::step).containsExactly(1L, 3L);
  }

  @Test
  void aFileWithoutAStepColumnYieldsNothing() {
    assertThat(parse("loss\n1.0\n")).isEmpty();
    assertThat(parse("")).isEmpty();
  }
}
