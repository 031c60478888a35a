package dev.tunekit.internal.ledger;

import java.util.regex.Pattern;

/** JDBC URLs in messages: a password written into the URL never appears, whatever the driver's syntax. */
public final class JdbcUrls {
  /** {@code password=...} (query string, or {@code ;password=...} properties), up to the next separator. */
  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)((?:password|passwd|pwd|sslpassword)=)[^&;]*");
  /** {@code //user:secret@host}. */
  private static final Pattern USER_INFO = Pattern.compile("(//[^/:@?&;]*):[^/@?&;]*@");

  private JdbcUrls() {}

  /** {@code url} with every password it carries replaced by {@code ***}. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String out = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
    return USER_INFO.matcher(out).replaceAll("$1:***@");
  }

  /** Whether a {@code ledger:} value is a JDBC URL rather than a file path. */
  public static boolean isJdbcUrl(String ledger) {
    return ledger != null && ledger.trim().regionMatches(true, 0, "jdbc:", 0, 5);
  }
}
