package dev.tunekit.testing;

import java.io.PrintWriter;
import java.io.StringWriter;

/** For tests that prove a secret reaches no user: everything of an exception that may be shown or logged. */
public final class Leaks {
  private Leaks() {}

  /**
   * {@code e}'s message, its {@code toString} and its printed stack trace (which holds every cause and suppressed
   * exception with their messages), as one text to scan for a secret.
   */
  public static String visibleText(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return e.getMessage() + "\n" + e + "\n" + w;
  }
}
