package dev.tunekit.openai;

import java.util.Optional;

/**
 * One HTTP exchange with Azure Resource Manager, with the bearer token already handled. No Azure type
 * appears here, so the provider loads without azure-identity on the class path (it is an optional
 * dependency); {@link AzureArm} is the implementation on azure-core's {@code HttpPipeline}.
 */
interface ArmApi {
  /**
   * Sends {@code method url} with a JSON {@code body} (or none) and returns the answer, whatever its status.
   *
   * @throws dev.tunekit.error.AuthenticationException when no token can be had
   * @throws dev.tunekit.error.ProviderException when the connection failed (retryable; outcome unknown
   *     unless the method is GET)
   */
  Response send(String method, String url, String body);

  /** Acquires a token now, so that missing credentials are a preflight problem and not a late failure. */
  void checkCredentials();

  /** An ARM answer: status, body (may be empty) and the headers Tunekit reads. */
  record Response(int status, String body, Optional<String> retryAfter, Optional<String> requestId) {}
}
