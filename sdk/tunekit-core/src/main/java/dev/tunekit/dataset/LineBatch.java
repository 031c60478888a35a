package dev.tunekit.dataset;

import java.util.Arrays;

/**
 * A run of consecutive raw lines copied out of the file: bytes without the line terminator, each with
 * its 1-based number and what the reader noticed (CR before LF, BOM, cut short because too long).
 */
final class LineBatch {
  static final int CRLF = 1;
  static final int BOM = 2;
  static final int TOO_LONG = 4;

  byte[] data;
  int[] start;
  int[] length;
  int[] flags;
  long[] lineNo;
  long[] fullLength;
  int size;
  int used;

  LineBatch(int bytes, int lines) {
    data = new byte[bytes];
    start = new int[lines];
    length = new int[lines];
    flags = new int[lines];
    lineNo = new long[lines];
    fullLength = new long[lines];
  }

  /** Begins a new line at the current end of {@link #data}. */
  void begin(long number) {
    if (size == start.length) {
      int n = size * 2;
      start = Arrays.copyOf(start, n);
      length = Arrays.copyOf(length, n);
      flags = Arrays.copyOf(flags, n);
      lineNo = Arrays.copyOf(lineNo, n);
      fullLength = Arrays.copyOf(fullLength, n);
    }
    start[size] = used;
    length[size] = 0;
    flags[size] = 0;
    lineNo[size] = number;
    fullLength[size] = 0;
    size++;
  }

  /** Appends bytes to the current line (the caller caps the line length). */
  void append(byte[] src, int off, int len) {
    if (used + len > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, used + len));
    }
    System.arraycopy(src, off, data, used, len);
    used += len;
    length[size - 1] += len;
  }
}
