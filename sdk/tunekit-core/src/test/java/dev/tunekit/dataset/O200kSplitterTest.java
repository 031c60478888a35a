package dev.tunekit.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written o200k_base splitter must cut every string exactly where jtokkit's regex does, and the
 * splitter + memo count must equal jtokkit's {@code countTokensOrdinary}: a seeded property test over
 * strings built from adversarial fragments (contractions in every case, all letter categories, marks,
 * non-ASCII numbers, punctuation before \r\n and '/', every kind of whitespace, surrogate pairs, unpaired
 * surrogates).
 */
class O200kSplitterTest {
  /** jtokkit 1.1.0's o200k_base pattern and flags (EncodingFactory.o200kBase, compileRegex). */
  private static final Pattern JTOKKIT = Pattern.compile(String.join("|",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "\\p{N}{1,3}", " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*", "\\s*[\\r\\n]+", "\\s+(?!\\S)", "\\s+"),
      Pattern.UNICODE_CHARACTER_CLASS);

  private static final String[] FRAGMENTS = {
      // ASCII words, case mixes, contractions in all cases (and U+017F, which folds to s)
      "hello", "Hello", "HELLO", "hELLo", "a", "I", "x", "don", "'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE",
      "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'lL", "'d", "'D", "'", "'r", "'l", "'v", "'ſ", "'x", "’s", "''",
      // Unicode letters of every case category: Lu, Ll, Lt, Lm, Lo
      "Ärger", "ÉCOLE", "straße", "ǅ", "ǈ", "ǋ", "ᾈ", "ʰ", "ʼ", "ˆ", "ー", "々", "日本語", "中文", "한국어", "א", "ب",
      "ǅungla", "ʰello", "Aʰb", "ABʰ", "ΑΒΓ", "αβγ", "ǲdz", "İstanbul", "ıi",
      // combining marks (Mn, Mc, Me) alone, after letters, before capitals, and doubled
      "\u0301", "e\u0301", "\u0301A", "\u0301AB", "\u0301a", "\u0301\u0301", "A\u0301", "\u0903", "\u20DD", "क्षि",
      "\u0301'S",
      // digits: ASCII, long runs, non-ASCII \p{N}
      "0", "12", "123", "1234567", "٣٤٥", "²³", "Ⅻ", "ⅷ", "½", "१२३", "𝟘𝟙", "3.14", "1,000",
      // punctuation runs, followed by \r\n and '/'
      ".", ",", "!!", "?!", "...", "\"", "{\"", "\"}", "\\\"", "/", "//", "./", ".\r\n", "!\n/", ";\r", "-", "—",
      "(", "))", "#", "@", "$", "€", "™", "•",
      // every whitespace kind
      " ", "  ", "   ", "\t", "\u000B", "\f", "\r", "\n", "\r\n", "\n\n", " \n", "\n ", "\r\n\r\n", " \r\n ",
      "\u00A0", "\u2028", "\u2029", "\u3000", "\u0085", "\u1680", "\u2003", "\u200B", "\uFEFF", "\t\n\t",
      // emoji, other surrogate pairs, unpaired surrogates
      "😀", "👍🏽", "👨‍👩‍👧", "📦", "🙏", "𝒜", "𝔞", "𠀋", "\uD800", "\uDC00", "\uDBFF\uDBFF", "\uDC00\uD800",
      "a\uD800", "\uD800a",
  };

  @Test
  void splitterCutsWhereJtokkitsRegexCutsAndCountsEqualJtokkit() {
    Encoding enc = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    O200kCounter counter = new O200kCounter(enc);
    SplittableRandom r = new SplittableRandom(20261203);
    StringBuilder b = new StringBuilder();
    int strings = 100_000;
    long pieces = 0;
    long tokens = 0;
    for (int n = 0; n < strings; n++) {
      b.setLength(0);
      int parts = 1 + r.nextInt(8);
      for (int p = 0; p < parts; p++) {
        int k = r.nextInt(10);
        if (k == 0) { // a random BMP or supplementary code point
          b.appendCodePoint(r.nextInt(4) == 0 ? 0x10000 + r.nextInt(0x20000) : r.nextInt(0x10000));
        } else if (k == 1) {
          b.append(' ');
        }
        if (k != 0) {
          b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
        }
      }
      String s = b.toString();
      List<String> expected = regexPieces(s);
      List<String> actual = splitterPieces(s);
      if (!actual.equals(expected)) { // described only on failure: formatting 100k messages would cost seconds
        assertThat(actual).as("pieces of %s", escape(s)).isEqualTo(expected);
      }
      int want = enc.countTokensOrdinary(s);
      int got = counter.count(s);
      if (got != want) {
        assertThat(got).as("tokens of %s", escape(s)).isEqualTo(want);
      }
      pieces += expected.size();
      tokens += want;
    }
    assertThat(pieces).isGreaterThan(strings);
    assertThat(tokens).isGreaterThan(strings);
  }

  @Test
  void characterClassesEqualJavaRegexClassesForEveryBmpCodePointAndSampledSupplementaryOnes() {
    String[] regex = {"\\s", "\\p{L}", "\\p{N}", "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]",
        "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]", "[^\\r\\n\\p{L}\\p{N}]", "[^\\s\\p{L}\\p{N}]", "[\\r\\n]"};
    int[] bit = {O200kSplitter.WS, O200kSplitter.LETTER, O200kSplitter.NUM, O200kSplitter.UPPERISH,
        O200kSplitter.LOWERISH, O200kSplitter.PREFIX, O200kSplitter.PUNCT, O200kSplitter.CRLF};
    Matcher[] m = new Matcher[regex.length];
    for (int k = 0; k < regex.length; k++) {
      m[k] = Pattern.compile(regex[k], Pattern.UNICODE_CHARACTER_CLASS).matcher("");
    }
    int checked = 0;
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += cp < 0x10000 ? 1 : 7) {
      String s = new String(Character.toChars(cp));
      int cls = O200kSplitter.classOf(cp);
      for (int k = 0; k < regex.length; k++) {
        boolean want = m[k].reset(s).matches();
        if (want != ((cls & bit[k]) != 0)) {
          assertThat((cls & bit[k]) != 0).as("U+%04X in %s", cp, regex[k]).isEqualTo(want);
        }
      }
      checked++;
    }
    assertThat(checked).isGreaterThan(0x10000);
  }

  @Test
  void knownTrickyCuts() {
    assertThat(splitterPieces("\u0301AB")).containsExactly("\u0301", "AB");
    assertThat(splitterPieces("don'TLL ok")).containsExactly("don'T", "LL", " ok");
    assertThat(splitterPieces("a   b\n\n  c ")).containsExactly("a", "  ", " b", "\n\n", " ", " c", " ");
    assertThat(splitterPieces("12345 ./\r\n/x")).containsExactly("123", "45", " ./\r\n/", "x");
    assertThat(splitterPieces("it'ſ")).containsExactly("it'ſ");
    for (String s : new String[] {"\u0301AB", "don'TLL ok", "a   b\n\n  c ", "12345 ./\r\n/x", "it'ſ"}) {
      assertThat(splitterPieces(s)).isEqualTo(regexPieces(s));
    }
  }

  private static List<String> regexPieces(String s) {
    List<String> out = new ArrayList<>();
    Matcher m = JTOKKIT.matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static List<String> splitterPieces(String s) {
    List<String> out = new ArrayList<>();
    char[] chars = (s + "padding").toCharArray(); // the splitter must not read past len
    int i = 0;
    while (i < s.length()) {
      int e = O200kSplitter.end(chars, i, s.length());
      if (e <= i) {
        out.add("<no piece at " + i + ">");
        break;
      }
      out.add(s.substring(i, e));
      i = e;
    }
    return out;
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04X", c)));
    return b.toString();
  }
}
