package dev.tunekit.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.Hyperparameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightChecksTest {
  @Test
  void extras_areReadAsNumbers_andWhatIsNotOneIsAProblemAtItsKey() {
    Hyperparameters hp = Hyperparameters.builder().extra("lr", "1e-5").extra("rank", 16).extra("half", 2.5)
        .extra("word", "many").build();
    List<PreflightProblem> out = new ArrayList<>();
    assertThat(PreflightChecks.number(hp, "lr", out)).contains(1e-5);
    assertThat(PreflightChecks.whole(hp, "rank", out)).contains(16);
    assertThat(PreflightChecks.number(hp, "unset", out)).isEmpty();
    assertThat(out).isEmpty();
    assertThat(PreflightChecks.whole(hp, "half", out)).isEmpty();
    assertThat(PreflightChecks.number(hp, "word", out)).isEmpty();
    assertThat(out).extracting(PreflightProblem::where, PreflightProblem::problem).containsExactly(
        org.assertj.core.groups.Tuple.tuple("hyperparameters.half", "'2.5' is not a whole number"),
        org.assertj.core.groups.Tuple.tuple("hyperparameters.word", "'many' is not a number"));
  }
}
