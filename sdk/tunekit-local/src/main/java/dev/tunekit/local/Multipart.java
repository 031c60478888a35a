package dev.tunekit.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small multipart/form-data parser (RFC 7578) for the server's upload endpoints. */
final class Multipart {
  private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))", Pattern.CASE_INSENSITIVE);
  private static final Pattern NAME = Pattern.compile("(?<![\\w*])name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

  /** One part: its form field name, file name (if any) and bytes. */
  record Part(String name, String filename, byte[] data) {
    String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  private Multipart() {}

  /** Parses a body; throws IllegalArgumentException with a readable reason when it is not multipart. */
  static List<Part> parse(String contentType, byte[] body) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new IllegalArgumentException("expected a multipart/form-data body");
    }
    Matcher bm = BOUNDARY.matcher(contentType);
    if (!bm.find()) {
      throw new IllegalArgumentException("the multipart Content-Type has no boundary");
    }
    byte[] delimiter = ("--" + (bm.group(1) != null ? bm.group(1) : bm.group(2))).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw new IllegalArgumentException("the multipart body does not contain its boundary");
    }
    while (true) {
      int after = pos + delimiter.length;
      if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
        break; // closing delimiter
      }
      int headersStart = skipLineBreak(body, after);
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        throw new IllegalArgumentException("a multipart part has no header terminator");
      }
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      int dataStart = headersEnd + 4;
      int next = indexOf(body, delimiter, dataStart);
      if (next < 0) {
        throw new IllegalArgumentException("a multipart part is not terminated by the boundary");
      }
      int dataEnd = next;
      if (dataEnd >= 2 && body[dataEnd - 2] == '\r' && body[dataEnd - 1] == '\n') {
        dataEnd -= 2;
      }
      byte[] data = new byte[Math.max(0, dataEnd - dataStart)];
      System.arraycopy(body, dataStart, data, 0, data.length);
      Matcher n = NAME.matcher(headers);
      Matcher f = FILENAME.matcher(headers);
      parts.add(new Part(n.find() ? n.group(1) : "", f.find() ? f.group(1) : null, data));
      pos = next;
    }
    return parts;
  }

  private static int skipLineBreak(byte[] b, int i) {
    if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') {
      return i + 2;
    }
    return i < b.length && b[i] == '\n' ? i + 1 : i;
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
