package dev.tunekit.dataset;

import com.knuddels.jtokkit.api.Encoding;
import java.util.Arrays;

/**
 * Counts o200k_base tokens as {@code encoding.countTokensOrdinary(text)} does, faster: {@link O200kSplitter}
 * cuts the text into the pieces jtokkit's regex would yield, and a per-thread memo remembers the token count
 * of each piece (most pieces are common words). A piece the memo does not know is counted by jtokkit's public
 * {@code countTokensOrdinary(piece)}, which equals the BPE of that piece (argument in {@link O200kSplitter}).
 * A text the splitter cannot cut is counted whole by jtokkit.
 *
 * <p>Memory: per thread at most {@value #MAX_ENTRIES} pieces of at most {@value #MAX_PIECE} chars (about 3 MB);
 * the memo is emptied when full. Longer pieces are counted by jtokkit every time. Each thread also keeps a
 * char buffer of up to {@value #MAX_BUFFER} chars (the text being cut). Thread-safe.
 */
final class O200kCounter {
  static final int MAX_PIECE = 48;
  static final int MAX_ENTRIES = 1 << 15;
  private static final int SLOTS = MAX_ENTRIES * 2;
  private static final int MAX_BUFFER = 1 << 16; // longer texts get a char[] of their own, not kept

  private final Encoding encoding;
  private final ThreadLocal<Memo> memo = ThreadLocal.withInitial(Memo::new);

  O200kCounter(Encoding encoding) {
    this.encoding = encoding;
  }

  /** Tokens of {@code s}, equal to {@code encoding.countTokensOrdinary(s)}. */
  int count(String s) {
    int len = s.length();
    Memo m = memo.get();
    char[] buf = len <= MAX_BUFFER ? m.buffer(len) : new char[len];
    s.getChars(0, len, buf, 0);
    int total = 0;
    int i = 0;
    while (i < len) {
      int e = O200kSplitter.end(buf, i, len);
      if (e <= i) {
        return encoding.countTokensOrdinary(s); // cannot happen for any string; correctness first
      }
      total += e - i > MAX_PIECE ? encoding.countTokensOrdinary(s.substring(i, e)) : m.count(buf, i, e);
      i = e;
    }
    return total;
  }

  /**
   * Per-thread: the chars of the text being counted, and an open-addressing table piece -> token count whose
   * keys are compared with the char range (no String is made on a hit).
   */
  private final class Memo {
    private final char[][] keys = new char[SLOTS][];
    private final int[] hashes = new int[SLOTS];
    private final int[] counts = new int[SLOTS];
    private int size;
    private char[] buffer = new char[256];

    char[] buffer(int len) {
      if (buffer.length < len) {
        buffer = new char[Math.max(len, buffer.length * 2)];
      }
      return buffer;
    }

    int count(char[] s, int from, int to) {
      int n = to - from;
      int h = n;
      for (int k = from; k < to; k++) {
        h = 31 * h + s[k];
      }
      h ^= h >>> 16;
      int mask = SLOTS - 1;
      int slot = (h * 0x9E3779B9) >>> 16 & mask;
      while (true) {
        char[] key = keys[slot];
        if (key == null) {
          break;
        }
        if (hashes[slot] == h && Arrays.equals(key, 0, key.length, s, from, to)) {
          return counts[slot];
        }
        slot = (slot + 1) & mask;
      }
      int c = encoding.countTokensOrdinary(new String(s, from, n));
      if (size >= MAX_ENTRIES) {
        Arrays.fill(keys, null);
        size = 0;
        slot = (h * 0x9E3779B9) >>> 16 & mask;
      }
      keys[slot] = Arrays.copyOfRange(s, from, to);
      hashes[slot] = h;
      counts[slot] = c;
      size++;
      return c;
    }
  }
}
