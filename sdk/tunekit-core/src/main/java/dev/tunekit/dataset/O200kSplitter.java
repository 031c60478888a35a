package dev.tunekit.dataset;

/**
 * A hand-written pre-tokenizer for o200k_base: it cuts a text into exactly the pieces that jtokkit 1.1.0's
 * o200k_base pattern yields with {@code Matcher.find()}, without running {@code java.util.regex}. The pattern
 * (from {@code com.knuddels.jtokkit.EncodingFactory.o200kBase()}, compiled with
 * {@code Pattern.UNICODE_CHARACTER_CLASS}, which implies {@code UNICODE_CASE}) is the alternation, tried in
 * this order at each position:
 *
 * <pre>
 * 1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * 2  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * 3  \p{N}{1,3}
 * 4   ?[^\s\p{L}\p{N}]+[\r\n/]*
 * 5  \s*[\r\n]+
 * 6  \s+(?!\S)
 * 7  \s+
 * </pre>
 *
 * <p>Semantics reproduced: the regex works on code points (a surrogate pair is one code point; an unpaired
 * surrogate is a code point of category Cs, i.e. neither letter, number, mark nor space); {@code \s} is
 * Java's Unicode White_Space predicate (Zs, Zl, Zp, U+0009..U+000D, U+0085; so U+00A0, U+2028 and U+3000 are
 * spaces, U+200B and U+FEFF are not); {@code \p{..}} are general categories; the contraction group matches
 * char by char with Java's Unicode case folding {@code toLowerCase(toUpperCase(c))} (so {@code 'S},
 * {@code 'LL} and {@code 'ſ} — U+017F folds to s — are contractions). Greedy quantifiers back off one code
 * point at a time, which is how each branch's end is computed below (see {@link #end}). Order matters: the
 * optional first char of branches 1 and 2 is tried taken, then not taken, within each branch before the next
 * branch — for a combining mark before capitals (U+0301 then {@code AB}) branch 1 without it wins (U+0301 alone,
 * then {@code "AB"}), not branch 2 with it. {@code O200kSplitterTest} checks the character classes against
 * {@code java.util.regex} for every BMP code point and the pieces against the real pattern on 100,000 strings.
 *
 * <p>Why counting each piece on its own gives the same total: jtokkit's {@code countTokensOrdinary(text)}
 * sums BPE(piece) over the pieces of {@code find()}. For one piece m, {@code countTokensOrdinary(m)} equals
 * BPE(m) because the pattern applied to m alone yields m as its only match: (a) the pattern has no
 * look-behind and no anchors, so for every branch without look-ahead the candidate matches on m alone are
 * exactly the candidates in context that end within m, in the same priority order; a branch (or a
 * higher-priority path) that failed in context therefore fails alone, and the first candidate that
 * succeeded in context — m itself — is the first to succeed alone; (b) the only look-ahead is
 * {@code (?!\S)} in branch 6, which succeeds at the end of the input: alone, it can only make branch 6
 * succeed where it failed in context, which happens only for a single whitespace char followed by a
 * non-space, a piece branch 7 then matched in context — the same one-char piece; (c) no branch matches the
 * empty string, so after m nothing more is found. Anything this class cannot classify makes the caller count
 * the whole text with jtokkit (never the case for valid input: every code point is a letter, number, space
 * or in {@code [^\s\p{L}\p{N}]}).
 */
final class O200kSplitter {
  static final int WS = 1; // \s (Unicode White_Space as java.util.regex defines it)
  static final int LETTER = 2; // \p{L}
  static final int NUM = 4; // \p{N}
  static final int UPPERISH = 8; // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
  static final int LOWERISH = 16; // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
  static final int PREFIX = 32; // [^\r\n\p{L}\p{N}]
  static final int PUNCT = 64; // [^\s\p{L}\p{N}]
  static final int CRLF = 128; // [\r\n]

  private static final byte[] BMP = new byte[0x10000];

  static {
    for (int c = 0; c < 0x10000; c++) {
      BMP[c] = (byte) compute(c);
    }
  }

  private O200kSplitter() {}

  /** The class bits of a code point. */
  static int classOf(int cp) {
    return cp < 0x10000 ? BMP[cp] & 0xFF : compute(cp);
  }

  private static int compute(int cp) {
    int type = Character.getType(cp);
    boolean ws = ((((1 << Character.SPACE_SEPARATOR) | (1 << Character.LINE_SEPARATOR)
        | (1 << Character.PARAGRAPH_SEPARATOR)) >> type) & 1) != 0 || (cp >= 0x9 && cp <= 0xd) || cp == 0x85;
    boolean lu = type == Character.UPPERCASE_LETTER;
    boolean ll = type == Character.LOWERCASE_LETTER;
    boolean lt = type == Character.TITLECASE_LETTER;
    boolean lm = type == Character.MODIFIER_LETTER;
    boolean lo = type == Character.OTHER_LETTER;
    boolean m = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
    boolean n = type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
    boolean l = lu || ll || lt || lm || lo;
    boolean crlf = cp == '\r' || cp == '\n';
    int bits = 0;
    bits |= ws ? WS : 0;
    bits |= l ? LETTER : 0;
    bits |= n ? NUM : 0;
    bits |= lu || lt || lm || lo || m ? UPPERISH : 0;
    bits |= ll || lm || lo || m ? LOWERISH : 0;
    bits |= !crlf && !l && !n ? PREFIX : 0;
    bits |= !ws && !l && !n ? PUNCT : 0;
    bits |= crlf ? CRLF : 0;
    return bits;
  }

  private static int cpAt(char[] s, int i, int len) {
    char c = s[i];
    if (Character.isHighSurrogate(c) && i + 1 < len) {
      char d = s[i + 1];
      if (Character.isLowSurrogate(d)) {
        return Character.toCodePoint(c, d);
      }
    }
    return c;
  }

  private static int classAt(char[] s, int i, int len) {
    char c = s[i];
    if (!Character.isSurrogate(c)) {
      return BMP[c] & 0xFF;
    }
    return classOf(cpAt(s, i, len));
  }

  private static int width(char[] s, int i, int len) {
    return Character.isHighSurrogate(s[i]) && i + 1 < len && Character.isLowSurrogate(s[i + 1]) ? 2 : 1;
  }

  /** End of the run of code points having {@code bit}, starting at {@code i}. */
  private static int run(char[] s, int i, int len, int bit) {
    while (i < len) {
      char c = s[i];
      if (c < 0xD800) {
        if ((BMP[c] & bit) == 0) {
          return i;
        }
        i++;
      } else {
        int cp = cpAt(s, i, len);
        if ((classOf(cp) & bit) == 0) {
          return i;
        }
        i += Character.charCount(cp);
      }
    }
    return i;
  }

  /**
   * End (exclusive) of the piece starting at {@code i} ({@code i < len}), or -1 if no branch matches there
   * (the caller then falls back to jtokkit for the whole text).
   */
  static int end(char[] s, int i, int len) {
    int cls = classAt(s, i, len);
    int w = width(s, i, len);
    // Branches 1 and 2: P? then letters; each branch tries P? taking a char first, then without it.
    if ((cls & (PREFIX | UPPERISH | LOWERISH)) != 0) {
      boolean prefix = (cls & PREFIX) != 0 && i + w < len;
      boolean letter = (cls & (UPPERISH | LOWERISH)) != 0;
      int e = prefix ? branch1(s, i + w, len) : -1;
      if (e < 0 && letter) {
        e = branch1(s, i, len);
      }
      if (e < 0 && prefix) {
        e = branch2(s, i + w, len);
      }
      if (e < 0 && letter) {
        e = branch2(s, i, len);
      }
      if (e >= 0) {
        return contraction(s, e, len);
      }
    }
    // Branch 3: \p{N}{1,3}
    if ((cls & NUM) != 0) {
      int e = i + w;
      for (int k = 1; k < 3 && e < len && (classAt(s, e, len) & NUM) != 0; k++) {
        e += width(s, e, len);
      }
      return e;
    }
    // Branch 4: ' '?[^\s\p{L}\p{N}]+[\r\n/]*
    int p = s[i] == ' ' ? i + 1 : i;
    if (p < len && (classAt(s, p, len) & PUNCT) != 0) {
      int e = run(s, p, len, PUNCT);
      while (e < len && (s[e] == '\r' || s[e] == '\n' || s[e] == '/')) {
        e++;
      }
      return e;
    }
    if ((cls & WS) != 0) {
      int k = run(s, i, len, WS); // whitespace is all in the BMP: one char per code point
      // Branch 5: \s*[\r\n]+ -> up to and including the last \r or \n of the run
      for (int j = k - 1; j >= i; j--) {
        char c = s[j];
        if (c == '\r' || c == '\n') {
          return j + 1;
        }
      }
      // Branch 6: \s+(?!\S); branch 7: \s+
      if (k == len || k - i == 1) {
        return k;
      }
      return k - 1;
    }
    return -1;
  }

  /** Branch 1 from {@code s0} (after the optional prefix char): U* L+, or -1; U* backs off one code point at a time. */
  private static int branch1(char[] s, int s0, int len) {
    int k = run(s, s0, len, UPPERISH);
    if (k < len && (classAt(s, k, len) & LOWERISH) != 0) {
      return run(s, k, len, LOWERISH);
    }
    int j = k;
    while (j > s0) {
      j -= Character.isLowSurrogate(s[j - 1]) && j - 2 >= s0 && Character.isHighSurrogate(s[j - 2])
          ? 2 : 1;
      if ((classAt(s, j, len) & LOWERISH) != 0) {
        return run(s, j, len, LOWERISH);
      }
    }
    return -1;
  }

  /** Branch 2 from {@code s0}: U+ L*, or -1. */
  private static int branch2(char[] s, int s0, int len) {
    int k = run(s, s0, len, UPPERISH);
    return k == s0 ? -1 : run(s, k, len, LOWERISH);
  }

  private static int contraction(char[] s, int e, int len) {
    if (e + 1 >= len || s[e] != '\'') {
      return e;
    }
    char c = fold(s[e + 1]);
    if (c == 's' || c == 't' || c == 'm' || c == 'd') {
      return e + 2;
    }
    if (e + 2 < len) {
      char d = fold(s[e + 2]);
      if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) {
        return e + 3;
      }
    }
    return e;
  }

  /** java.util.regex's case folding for UNICODE_CASE matching of a BMP char (SliceU). */
  private static char fold(char c) {
    return Character.toLowerCase(Character.toUpperCase(c));
  }
}
