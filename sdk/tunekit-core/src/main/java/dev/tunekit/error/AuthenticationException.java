package dev.tunekit.error;

/** Authentication or authorization failed (HTTP 401/403, a wrong AWS role, a missing key). Fix the credentials; never retried. */
public class AuthenticationException extends ProviderException {
  private static final long serialVersionUID = 1L;

  AuthenticationException(Builder builder) {
    super(builder);
  }
}
