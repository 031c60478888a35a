package dev.tunekit.local;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One worked example (a question and its answer) plus the text machinery the exemplar models share:
 * tokenising, entity slots, answer adaptation and token-level scoring. Package-private.
 */
record Exemplar(String question, String answer) {

  private static final Pattern DATE = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}\\b");
  private static final Pattern NUMBER = Pattern.compile("(?<!\\w)(?<!\\d\\.)\\d+(?:\\.\\d+)?(?!\\w)(?!\\.\\d)");
  private static final Pattern CAPITALISED = Pattern.compile("\\b[A-Z][a-z]+(?:\\s+[A-Z][a-z]+)*\\b");
  private static final Pattern LOWER_WORD = Pattern.compile("\\b[a-z]+\\b");
  private static final Pattern QUOTED = Pattern.compile("'([^']*)'|\"([^\"]*)\"");
  private static final Pattern COMPARED_LITERAL = Pattern.compile("([A-Za-z_][\\w.]*)\\s*(?:=|!=|<>|LIKE|like)\\s*(['\"])([a-z][a-z ]*)\\2");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_]+");
  private static final Pattern ANSWER_TOKEN = Pattern.compile("[\\p{L}\\p{N}_]+|[^\\s\\p{L}\\p{N}_]");

  /** An entity in a text: where it is, what it says, and its type (NUM, DATE, CAP or LEX:column). */
  record Slot(int start, int end, String text, String type) {}

  /** Lowercase words seen as compared literals in answers, by the column they were compared with. */
  static final class Lexicon {
    private final Map<String, String> columnOfValue = new HashMap<>();

    /** Learns the literals of one example: a lowercase value compared to a column and present in the question. */
    void learn(Exemplar e) {
      Matcher m = COMPARED_LITERAL.matcher(e.answer());
      List<String> questionWords = words(e.question());
      while (m.find()) {
        String column = m.group(1).substring(m.group(1).lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String value = m.group(3);
        if (!value.contains(" ") && questionWords.contains(value)) {
          columnOfValue.putIfAbsent(value, column);
        }
      }
    }

    String column(String word) {
      return columnOfValue.get(word);
    }

    int size() {
      return columnOfValue.size();
    }
  }

  /** Lowercase word tokens. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** The entities of a question, in order of appearance. Sentence-initial capitalised words are not names. */
  static List<Slot> questionSlots(String q, Lexicon lexicon) {
    List<Slot> slots = new ArrayList<>();
    boolean[] taken = new boolean[q.length() + 1];
    Matcher d = DATE.matcher(q);
    while (d.find()) {
      add(slots, taken, d.start(), d.end(), d.group(), "DATE");
    }
    Matcher n = NUMBER.matcher(q);
    while (n.find()) {
      add(slots, taken, n.start(), n.end(), n.group(), "NUM");
    }
    Matcher c = CAPITALISED.matcher(q);
    while (c.find()) {
      int start = c.start();
      String text = c.group();
      if (sentenceInitial(q, start)) {
        int space = text.indexOf(' ');
        if (space < 0) {
          continue;
        }
        start = start + space + 1;
        while (start < q.length() && q.charAt(start) == ' ') {
          start++;
        }
        text = q.substring(start, c.end());
      }
      add(slots, taken, start, c.end(), text, "CAP");
    }
    Matcher w = LOWER_WORD.matcher(q);
    while (w.find()) {
      String column = lexicon.column(w.group());
      if (column != null) {
        add(slots, taken, w.start(), w.end(), w.group(), "LEX:" + column);
      }
    }
    slots.sort((a, b) -> Integer.compare(a.start(), b.start()));
    return slots;
  }

  private static boolean sentenceInitial(String q, int start) {
    int i = start - 1;
    while (i >= 0 && !Character.isLetterOrDigit(q.charAt(i)) && ".?!:;".indexOf(q.charAt(i)) < 0) {
      i--;
    }
    return i < 0 || ".?!:;".indexOf(q.charAt(i)) >= 0;
  }

  private static void add(List<Slot> slots, boolean[] taken, int start, int end, String text, String type) {
    for (int i = start; i < end; i++) {
      if (taken[i]) {
        return;
      }
    }
    for (int i = start; i < end; i++) {
      taken[i] = true;
    }
    slots.add(new Slot(start, end, text, type));
  }

  /** The question with its entities replaced by type placeholders, as retrieval terms. */
  static List<String> maskedTerms(String q, Lexicon lexicon) {
    StringBuilder b = new StringBuilder();
    int at = 0;
    List<String> signature = new ArrayList<>();
    for (Slot s : questionSlots(q, lexicon)) {
      String type = s.type().replace("LEX:", "").toLowerCase(Locale.ROOT);
      b.append(q, at, s.start()).append(" slot").append(type).append(' ');
      signature.add(type);
      at = s.end();
    }
    b.append(q.substring(at));
    List<String> words = words(b.toString());
    words.replaceAll(Exemplar::stem);
    List<String> terms = new ArrayList<>(words.size() * 2 + 1);
    terms.addAll(words);
    for (int i = 0; i + 1 < words.size(); i++) {
      terms.add(words.get(i) + "_" + words.get(i + 1));
    }
    // The entity signature (types of the question's entities, in order) as one more term.
    java.util.Collections.sort(signature);
    terms.add("sig_" + String.join("_", signature));
    return terms;
  }

  /** A light plural stemmer: {@code orders → order}, {@code categories → category}; short words stay. */
  static String stem(String w) {
    if (w.length() > 4 && w.endsWith("ies")) {
      return w.substring(0, w.length() - 3) + "y";
    }
    if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")) {
      return w.substring(0, w.length() - 1);
    }
    return w;
  }

  /**
   * This example's answer rewritten for a new question: each literal of the answer that came from an
   * entity of this example's question is replaced by the entity of the same type and rank in the new
   * question (the copy mechanism that lets one example answer for other cities, numbers or names).
   */
  String adaptTo(String newQuestion, Lexicon lexicon) {
    return adapt(questionSlots(question, lexicon), answerLiterals(answer), questionSlots(newQuestion, lexicon));
  }

  /** {@link #adaptTo} with this example's slots and literals, and the new question's slots, computed already. */
  String adapt(List<Slot> mine, List<Slot> literals, List<Slot> theirs) {
    if (mine.isEmpty()) {
      return answer;
    }
    StringBuilder out = new StringBuilder(answer);
    for (int i = literals.size() - 1; i >= 0; i--) {
      Slot literal = literals.get(i);
      Slot source = null;
      for (Slot s : mine) {
        if (s.text().equalsIgnoreCase(literal.text())) {
          source = s;
          break;
        }
      }
      if (source == null) {
        continue;
      }
      int rank = rankOf(mine, source);
      Slot replacement = nthOfType(theirs, source.type(), rank);
      if (replacement != null) {
        out.replace(literal.start(), literal.end(), replacement.text());
      }
    }
    return out.toString();
  }

  private static int rankOf(List<Slot> slots, Slot slot) {
    int rank = 0;
    for (Slot s : slots) {
      if (s == slot) {
        return rank;
      }
      if (s.type().equals(slot.type())) {
        rank++;
      }
    }
    return rank;
  }

  private static Slot nthOfType(List<Slot> slots, String type, int n) {
    int seen = 0;
    for (Slot s : slots) {
      if (s.type().equals(type)) {
        if (seen == n) {
          return s;
        }
        seen++;
      }
    }
    return null;
  }

  /** Literals of an answer: dates, numbers outside dates and quoted strings, without overlaps. */
  static List<Slot> answerLiterals(String a) {
    List<Slot> out = new ArrayList<>();
    boolean[] taken = new boolean[a.length() + 1];
    Matcher d = DATE.matcher(a);
    while (d.find()) {
      add(out, taken, d.start(), d.end(), d.group(), "DATE");
    }
    Matcher n = NUMBER.matcher(a);
    while (n.find()) {
      add(out, taken, n.start(), n.end(), n.group(), "NUM");
    }
    Matcher q = QUOTED.matcher(a);
    while (q.find()) {
      int g = q.group(1) != null ? 1 : 2;
      if (q.end(g) > q.start(g)) {
        add(out, taken, q.start(g), q.end(g), q.group(g), "STR");
      }
    }
    out.sort((x, y) -> Integer.compare(x.start(), y.start()));
    return out;
  }

  /** Tokens of an answer for scoring: words and single punctuation marks, lowercased. */
  static List<String> answerTokens(String a) {
    List<String> out = new ArrayList<>();
    Matcher m = ANSWER_TOKEN.matcher(a.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** Token F1 between a predicted and a reference answer (1 for identical token bags). */
  static double tokenF1(String predicted, String reference) {
    List<String> p = answerTokens(predicted);
    List<String> r = answerTokens(reference);
    if (p.isEmpty() && r.isEmpty()) {
      return 1.0;
    }
    if (p.isEmpty() || r.isEmpty()) {
      return 0.0;
    }
    Map<String, Integer> counts = new HashMap<>();
    for (String t : r) {
      counts.merge(t, 1, Integer::sum);
    }
    int overlap = 0;
    for (String t : p) {
      Integer c = counts.get(t);
      if (c != null && c > 0) {
        overlap++;
        counts.put(t, c - 1);
      }
    }
    if (overlap == 0) {
      return 0.0;
    }
    double precision = overlap / (double) p.size();
    double recall = overlap / (double) r.size();
    return 2 * precision * recall / (precision + recall);
  }

  /** Whether two answers are the same up to case, whitespace and a trailing semicolon. */
  static boolean sameAnswer(String a, String b) {
    return normalise(a).equals(normalise(b));
  }

  static String normalise(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        space = b.length() > 0;
      } else {
        if (space) {
          b.append(' ');
          space = false;
        }
        b.append(Character.toLowerCase(c));
      }
    }
    int end = b.length();
    while (end > 0 && (b.charAt(end - 1) == ';' || b.charAt(end - 1) == ' ')) {
      end--;
    }
    return b.substring(0, end);
  }
}
