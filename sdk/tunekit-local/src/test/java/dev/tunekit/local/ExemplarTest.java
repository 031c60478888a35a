package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The exemplar model's text machinery: entity slots, answer adaptation, scoring and retrieval loss. */
class ExemplarTest {
  private static final Exemplar CITY = new Exemplar("Which customers are based in Berlin?",
      "SELECT name, email FROM customers WHERE city = 'Berlin';");

  @Test
  void answerIsAdaptedToTheNewQuestionsEntitiesByTypeAndOrder() {
    Exemplar range = new Exemplar("Show products priced between 20 and 80.",
        "SELECT name, price FROM products WHERE price BETWEEN 20 AND 80;");
    Exemplar.Lexicon lexicon = new Exemplar.Lexicon();
    assertThat(CITY.adaptTo("Which customers are based in Porto?", lexicon))
        .isEqualTo("SELECT name, email FROM customers WHERE city = 'Porto';");
    assertThat(range.adaptTo("Products in the 15-60 price band?", lexicon))
        .isEqualTo("SELECT name, price FROM products WHERE price BETWEEN 15 AND 60;");
  }

  @Test
  void lowercaseValuesAreSubstitutedOnlyOnceLearnedFromData() {
    Exemplar status = new Exemplar("Show all shipped orders.", "SELECT id FROM orders WHERE status = 'shipped';");
    Exemplar.Lexicon lexicon = new Exemplar.Lexicon();
    assertThat(status.adaptTo("Show all pending orders.", lexicon)).contains("'shipped'");
    lexicon.learn(status);
    lexicon.learn(new Exemplar("List pending orders.", "SELECT id FROM orders WHERE status = 'pending';"));
    assertThat(status.adaptTo("Show all pending orders.", lexicon)).contains("'pending'");

    Exemplar dsl = new Exemplar("Show all shipped orders.", "FIND orders WHERE status = \"shipped\"");
    Exemplar.Lexicon dslLexicon = new Exemplar.Lexicon();
    dslLexicon.learn(dsl);
    dslLexicon.learn(new Exemplar("List returned orders.", "FIND orders WHERE status = \"returned\""));
    assertThat(dsl.adaptTo("Which orders were returned?", dslLexicon)).isEqualTo("FIND orders WHERE status = \"returned\"");
  }

  @Test
  void pluralsAreStemmedAndTheEntitySignatureIsATerm() {
    assertThat(Exemplar.stem("orders")).isEqualTo("order");
    assertThat(Exemplar.stem("categories")).isEqualTo("category");
    assertThat(Exemplar.stem("status")).isEqualTo("status");
    assertThat(Exemplar.maskedTerms("Orders over 100 from Berlin", new Exemplar.Lexicon()))
        .contains("order", "slotnum", "slotcap", "over_slotnum", "sig_cap_num");
  }

  @Test
  void sentenceInitialWordsAreNotNames() {
    List<Exemplar.Slot> slots = Exemplar.questionSlots("Did Ana Lopez buy anything? Show their orders.", new Exemplar.Lexicon());
    assertThat(slots).extracting(Exemplar.Slot::text).containsExactly("Ana Lopez");
  }

  @Test
  void answersCompareIgnoringCaseWhitespaceAndTrailingSemicolon() {
    assertThat(Exemplar.sameAnswer("select  *\nfrom t", "SELECT * FROM t;")).isTrue();
    assertThat(Exemplar.sameAnswer("SELECT * FROM t", "SELECT * FROM u")).isFalse();
    assertThat(Exemplar.tokenF1("SELECT a FROM t", "SELECT a FROM t")).isEqualTo(1.0);
    assertThat(Exemplar.tokenF1("SELECT a FROM t", "DELETE x")).isZero();
  }

  @Test
  void retrievalLossFallsAsMatchingExamplesAreIndexed() {
    ExemplarIndex index = new ExemplarIndex();
    Exemplar target = new Exemplar("Which customers are based in Rome?", "SELECT name, email FROM customers WHERE city = 'Rome';");
    double empty = index.retrievalLoss(target, -1).loss();
    index.add(new Exemplar("Show all shipped orders.", "SELECT id FROM orders WHERE status = 'shipped';"));
    double unrelated = index.retrievalLoss(target, -1).loss();
    index.add(CITY);
    ExemplarIndex.Score related = index.retrievalLoss(target, -1);
    assertThat(empty).isEqualTo(-Math.log(ExemplarIndex.MIN_PROBABILITY));
    assertThat(unrelated).isEqualTo(empty);
    assertThat(related.loss()).isLessThan(0.5);
    assertThat(related.exact()).isTrue();
  }

  @Test
  void fewShotExamplesAreReadFromQaLinesAndEarlierTurns() {
    List<dev.tunekit.model.ChatMessage> messages = List.of(
        dev.tunekit.model.ChatMessage.system("Translate.\n\nQ: one?\nA: 1\n\nQuestion: two?\nAnswer: 2\n"),
        dev.tunekit.model.ChatMessage.user("three?"), dev.tunekit.model.ChatMessage.assistant("3"),
        dev.tunekit.model.ChatMessage.user("four?"));
    assertThat(ExemplarModels.fewShot(messages)).containsExactly(new Exemplar("one?", "1"),
        new Exemplar("two?", "2"), new Exemplar("three?", "3"));
    assertThat(ExemplarModels.question(messages)).isEqualTo("four?");
  }
}
