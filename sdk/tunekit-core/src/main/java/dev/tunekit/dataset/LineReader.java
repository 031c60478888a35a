package dev.tunekit.dataset;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines on LF, in constant memory: a line longer than {@code maxLineBytes}
 * is kept only up to the cap and flagged {@link LineBatch#TOO_LONG} (its full length is recorded). A
 * CR before the LF is removed and flagged; a UTF-8 byte-order mark at the very start is removed and
 * flagged. Not thread-safe; one reader per file.
 */
final class LineReader implements AutoCloseable {
  private static final int BUFFER = 1 << 16;
  private static final int MAX_LINES_PER_BATCH = 8192;
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private int limit;
  private boolean eof;
  private long nextLine = 1;
  private boolean first = true;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Reads lines into a fresh batch until it holds about {@code targetBytes} bytes; returns null at the
   * end of the input.
   */
  LineBatch next(int targetBytes) throws IOException {
    LineBatch b = null;
    while (b == null || (b.used < targetBytes && b.size < MAX_LINES_PER_BATCH)) {
      if (!fill()) {
        break;
      }
      if (b == null) {
        b = new LineBatch(targetBytes + 1024, 1024);
      }
      readLine(b);
    }
    return b;
  }

  private boolean fill() throws IOException {
    if (pos < limit) {
      return true;
    }
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    while (n == 0) {
      n = in.read(buf, 0, buf.length);
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  private void readLine(LineBatch b) throws IOException {
    b.begin(nextLine++);
    int idx = b.size - 1;
    long full = 0;
    boolean bomChecked = !first;
    while (fill()) {
      if (!bomChecked) {
        // the BOM may straddle reads only if the first read is shorter than 3 bytes: handled below
        while (limit - pos < 3 && !eof) {
          int n = in.read(buf, limit, buf.length - limit);
          if (n < 0) {
            eof = true;
          } else {
            limit += n;
          }
        }
        if (limit - pos >= 3 && buf[pos] == (byte) 0xEF && buf[pos + 1] == (byte) 0xBB
            && buf[pos + 2] == (byte) 0xBF) {
          pos += 3;
          b.flags[idx] |= LineBatch.BOM;
        }
        bomChecked = true;
        first = false;
        continue;
      }
      int lf = -1;
      for (int i = pos; i < limit; i++) {
        if (buf[i] == '\n') {
          lf = i;
          break;
        }
      }
      int end = lf < 0 ? limit : lf;
      int len = end - pos;
      full += len;
      int room = maxLineBytes - b.length[idx];
      if (room > 0) {
        b.append(buf, pos, Math.min(room, len));
      }
      pos = lf < 0 ? limit : lf + 1;
      if (lf >= 0) {
        break;
      }
    }
    first = false;
    if (full > maxLineBytes) {
      b.flags[idx] |= LineBatch.TOO_LONG;
    } else if (b.length[idx] > 0 && b.data[b.start[idx] + b.length[idx] - 1] == '\r') {
      b.length[idx]--;
      b.used--;
      b.flags[idx] |= LineBatch.CRLF;
    }
    b.fullLength[idx] = full;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
