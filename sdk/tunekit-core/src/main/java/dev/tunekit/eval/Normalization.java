package dev.tunekit.eval;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Ways {@link Graders#exactMatch(Normalization...)} makes two texts comparable before comparing. They
 * are applied in the order declared here, whatever order they are passed in.
 */
public enum Normalization {
  /** Unicode NFKC: full-width letters, ligatures and composed accents compare equal. */
  UNICODE {
    @Override
    String apply(String s) {
      return Normalizer.normalize(s, Normalizer.Form.NFKC);
    }
  },
  /** Compare case-insensitively (lower-cases with the root locale). */
  IGNORE_CASE {
    @Override
    String apply(String s) {
      return s.toLowerCase(Locale.ROOT);
    }
  },
  /** Drop punctuation characters (Unicode category P). */
  STRIP_PUNCTUATION {
    @Override
    String apply(String s) {
      return s.replaceAll("\\p{P}+", "");
    }
  },
  /** Turn every run of whitespace (including newlines) into one space. */
  COLLAPSE_WHITESPACE {
    @Override
    String apply(String s) {
      return s.replaceAll("\\s+", " ");
    }
  },
  /** Remove leading and trailing whitespace. */
  TRIM {
    @Override
    String apply(String s) {
      return s.strip();
    }
  };

  abstract String apply(String s);

  /** The name used in suite files: {@code ignore-case}, {@code collapse-whitespace}, … */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
