package dev.tunekit.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What checking one {@link LineBatch} found: findings in line order and per-example figures. */
final class BatchResult {
  static final byte KIND_UNKNOWN = -1;
  static final byte KIND_CHAT = 0;
  static final byte KIND_PREFERENCE = 1;
  static final byte KIND_PROMPTS = 2;

  final List<Finding> findings = new ArrayList<>();
  long[] line = new long[256];
  byte[] kind = new byte[256];
  int[] tokens = new int[256];
  int[] trained = new int[256];
  int[] messages = new int[256];
  int size;

  void add(Finding.Severity severity, long lineNo, String code, String message) {
    findings.add(new Finding(severity, lineNo, code, message));
  }

  void error(long lineNo, String code, String message) {
    add(Finding.Severity.ERROR, lineNo, code, message);
  }

  void warning(long lineNo, String code, String message) {
    add(Finding.Severity.WARNING, lineNo, code, message);
  }

  /** Records one example (a non-blank line); {@code tokens < 0} when it could not be counted. */
  void example(long lineNo, byte k, int tok, int trainedTokens, int messageCount) {
    if (size == line.length) {
      int n = size * 2;
      line = Arrays.copyOf(line, n);
      kind = Arrays.copyOf(kind, n);
      tokens = Arrays.copyOf(tokens, n);
      trained = Arrays.copyOf(trained, n);
      messages = Arrays.copyOf(messages, n);
    }
    line[size] = lineNo;
    kind[size] = k;
    tokens[size] = tok;
    trained[size] = trainedTokens;
    messages[size] = messageCount;
    size++;
  }
}
