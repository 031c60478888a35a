package dev.tunekit.openai;

import dev.tunekit.internal.Internals;
import dev.tunekit.Tunekit;
import java.util.Map;

/** Package-private corners of Tunekit that tests in other packages need (tests only). */
public final class TestAccess {
  private TestAccess() {}

  /** A builder that resolves {@code ${VAR}} from {@code env} instead of the process environment. */
  public static Tunekit.Builder withEnv(Tunekit.Builder builder, Map<String, String> env) {
    return builder.env(env);
  }

  /** The resolved config's {@code toString()}. */
  public static String configText(Tunekit tk) {
    return Internals.workflow(tk).config().toString();
  }

  /** The provider's (resilience layer and raw provider) {@code toString()}. */
  public static String providerText(Tunekit tk) {
    return Internals.workflow(tk).provider().toString();
  }

  /** The run's ledger log lines. */
  public static java.util.List<String> ledgerLog(Tunekit tk, String runId) {
    return Internals.workflow(tk).ledger().logOf(runId);
  }
}
