package dev.tunekit.model;

import java.util.Objects;

/**
 * A credential (API key, secret access key, webhook secret). Its {@link #toString()} is redacted, it
 * is not a record (so no generated accessor leaks it into logs), and its value is read only through
 * {@link #reveal()}, at the single place that hands it to a provider SDK.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** Wraps a secret value. */
  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The secret value. Call it only where the value is handed to a provider SDK. */
  public String reveal() {
    return value;
  }

  /**
   * {@code text} with every occurrence of this secret replaced by {@code [redacted]}, for text a server sent back
   * (a server may echo the key it was sent: "invalid API key …") before it goes into a message. {@code null} stays
   * {@code null}; an empty secret changes nothing.
   */
  public String redact(String text) {
    return text == null || value.isEmpty() ? text : text.replace(value, "[redacted]");
  }

  /** Whether {@code text} holds this secret (an empty secret is in no text). */
  public boolean isIn(String text) {
    return text != null && !value.isEmpty() && text.contains(value);
  }

  /** Whether the value is empty or blank. */
  public boolean isBlank() {
    return value.isBlank();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && java.security.MessageDigest.isEqual(
        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // deliberately constant: the hash must not reveal anything about the value
  }

  /** Always {@code Secret[redacted]}. */
  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
