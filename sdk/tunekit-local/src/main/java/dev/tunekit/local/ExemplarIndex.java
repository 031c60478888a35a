package dev.tunekit.local;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An Okapi BM25 index over the (entity-masked) questions of worked examples, answering a new question
 * with the nearest example's answer adapted to the new question's entities. The lexicon of value
 * words (such as order statuses) is learned from the indexed examples; when it grows, the index is
 * re-tokenised on the next search. Not thread-safe: confine an instance to one thread or guard it.
 */
final class ExemplarIndex {
  static final double K1 = 1.2;
  static final double B = 0.75;
  /** Softmax temperature over max-normalised scores, used by {@link #retrievalLoss}. */
  static final double TEMPERATURE = 0.1;
  /** Floor of the probability of the right answer, so the loss is at most ln(1000) ≈ 6.91. */
  static final double MIN_PROBABILITY = 1e-3;

  private final List<Exemplar> examples = new ArrayList<>();
  private final Exemplar.Lexicon lexicon = new Exemplar.Lexicon();
  private final List<List<Exemplar.Slot>> questionSlots = new ArrayList<>();
  private final List<List<Exemplar.Slot>> answerLiterals = new ArrayList<>();
  private final List<Integer> lengths = new ArrayList<>();
  /** Term → (document position, term frequency) pairs. */
  private final Map<String, List<int[]>> postings = new HashMap<>();
  private long totalLength;
  private int lexiconSizeIndexed = -1;

  /** One search result: the example's position in the index and its BM25 score. */
  record Hit(int position, double score) {}

  ExemplarIndex() {}

  ExemplarIndex(Collection<Exemplar> initial) {
    initial.forEach(this::add);
  }

  void add(Exemplar e) {
    examples.add(e);
    lexicon.learn(e);
    if (lexicon.size() == lexiconSizeIndexed) {
      indexTerms(e);
    }
  }

  int size() {
    return examples.size();
  }

  Exemplar get(int position) {
    return examples.get(position);
  }

  Exemplar.Lexicon lexicon() {
    return lexicon;
  }

  private void reindexIfLexiconGrew() {
    if (lexicon.size() == lexiconSizeIndexed) {
      return;
    }
    questionSlots.clear();
    answerLiterals.clear();
    lengths.clear();
    postings.clear();
    totalLength = 0;
    lexiconSizeIndexed = lexicon.size();
    for (Exemplar e : examples) {
      indexTerms(e);
    }
  }

  private void indexTerms(Exemplar e) {
    List<String> terms = Exemplar.maskedTerms(e.question(), lexicon);
    Map<String, Integer> counts = new HashMap<>();
    for (String t : terms) {
      counts.merge(t, 1, Integer::sum);
    }
    int position = lengths.size();
    counts.forEach((t, tf) -> postings.computeIfAbsent(t, k -> new ArrayList<>()).add(new int[] {position, tf}));
    questionSlots.add(Exemplar.questionSlots(e.question(), lexicon));
    answerLiterals.add(Exemplar.answerLiterals(e.answer()));
    lengths.add(terms.size());
    totalLength += terms.size();
  }

  /** The {@code k} best examples for a question, best first (ties: earlier example first), skipping {@code exclude}. */
  List<Hit> search(String question, int k, int exclude) {
    reindexIfLexiconGrew();
    List<Hit> hits = new ArrayList<>();
    int n = examples.size();
    if (n == 0) {
      return hits;
    }
    double avgLength = totalLength / (double) n;
    Map<String, Integer> queryTerms = new HashMap<>();
    for (String t : Exemplar.maskedTerms(question, lexicon)) {
      queryTerms.merge(t, 1, Integer::sum);
    }
    double[] scores = new double[n];
    for (String t : queryTerms.keySet()) {
      List<int[]> list = postings.get(t);
      if (list == null) {
        continue;
      }
      int df = list.size();
      double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (int[] p : list) {
        int tf = p[1];
        scores[p[0]] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths.get(p[0]) / avgLength));
      }
    }
    for (int d = 0; d < n; d++) {
      if (d != exclude && scores[d] > 0) {
        hits.add(new Hit(d, scores[d]));
      }
    }
    hits.sort((a, b) -> a.score() != b.score() ? Double.compare(b.score(), a.score()) : Integer.compare(a.position(), b.position()));
    return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
  }

  /** The adapted answer of the nearest example, or null if nothing matches. */
  String answer(String question) {
    List<Hit> hits = search(question, 1, -1);
    return hits.isEmpty() ? null : adapt(hits.get(0).position(), Exemplar.questionSlots(question, lexicon));
  }

  private String adapt(int position, List<Exemplar.Slot> newSlots) {
    return examples.get(position).adapt(questionSlots.get(position), answerLiterals.get(position), newSlots);
  }

  /** Loss and accuracy of retrieving one example's answer. */
  record Score(double loss, double tokenAccuracy, boolean exact) {}

  /**
   * The retrieval loss of {@code target}: the negative log of the probability that a softmax over the
   * top ten examples' (max-normalised) BM25 scores puts on examples whose adapted answer is exactly the
   * target answer, floored at {@link #MIN_PROBABILITY}; and the token F1 of the top answer.
   *
   * @param exclude position of the target in this index, to score it leave-one-out, or -1
   */
  Score retrievalLoss(Exemplar target, int exclude) {
    List<Hit> hits = search(target.question(), 10, exclude);
    if (hits.isEmpty()) {
      return new Score(-Math.log(MIN_PROBABILITY), 0, false);
    }
    double max = hits.get(0).score();
    List<Exemplar.Slot> targetSlots = Exemplar.questionSlots(target.question(), lexicon);
    String expected = Exemplar.normalise(target.answer());
    double z = 0;
    double right = 0;
    String top = null;
    for (Hit h : hits) {
      double w = Math.exp((h.score() / max - 1) / TEMPERATURE);
      String adapted = adapt(h.position(), targetSlots);
      if (top == null) {
        top = adapted;
      }
      z += w;
      if (Exemplar.normalise(adapted).equals(expected)) {
        right += w;
      }
    }
    double p = Math.max(MIN_PROBABILITY, right / z);
    return new Score(-Math.log(p), Exemplar.tokenF1(top, target.answer()), Exemplar.sameAnswer(top, target.answer()));
  }
}
