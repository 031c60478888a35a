package dev.tunekit.vertex;

import com.google.cloud.BaseServiceException;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.GenAiIOException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * Translates Gen AI SDK and Cloud Storage failures into Tunekit exceptions that say whether to retry and
 * whether the call may have taken effect. The only place that reads Google error codes. Messages carry the
 * operation, Google's status and message, and advice; never a credential (neither library puts a token in
 * its messages, and nothing here reads the credentials).
 */
final class VertexErrors {
  static final String PROVIDER = "vertex";

  private VertexErrors() {}

  /**
   * @param op what was called, such as "tuningJobs.create"
   * @param write whether the call changes something (then a lost reply leaves its outcome unknown)
   */
  static RuntimeException translate(Throwable t, String op, boolean write) {
    Throwable e = t;
    while ((e instanceof UncheckedIOException || e instanceof java.util.concurrent.CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof TunekitException te) {
      return te;
    }
    if (e instanceof ApiException api) {
      return http(op, write, api.code(), api.status(), api.message(), e);
    }
    if (e instanceof BaseServiceException gcs && gcs.getCode() > 0) {
      return http(op, write, gcs.getCode(), gcs.getReason(), gcs.getMessage(), e);
    }
    if (e instanceof GenAiIOException || e instanceof IOException || e instanceof BaseServiceException) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      boolean neverSent = root instanceof ConnectException || root instanceof UnknownHostException;
      return ProviderException.builder(PROVIDER, op + " failed on the network (" + root.getClass().getSimpleName()
              + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")"
              + (write && !neverSent ? "; it may have been carried out" : ""))
          .cause(e).retryable(true).outcomeUnknown(write && !neverSent).build();
    }
    return ProviderException.builder(PROVIDER, op + " failed: " + e).cause(e).retryable(false)
        .outcomeUnknown(write).build();
  }

  private static RuntimeException http(String op, boolean write, int code, String status, String message, Throwable e) {
    String text = op + " failed with HTTP " + code + (status == null || status.isBlank() ? "" : " " + status) + ": "
        + (message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " "));
    ProviderException.Builder b = ProviderException.builder(PROVIDER, text).cause(e).statusCode(code);
    if (code == 401 || code == 403) {
      return ProviderException.builder(PROVIDER, text + ". Check the Application Default Credentials"
              + " (GOOGLE_APPLICATION_CREDENTIALS or gcloud auth application-default login) and that the account has"
              + " roles/aiplatform.user and read access to the bucket.")
          .cause(e).statusCode(code).buildAuthentication();
    }
    if (code == 404) {
      return b.buildNotFound();
    }
    if (code == 429) {
      return b.retryable(true).buildRateLimited();
    }
    if (code >= 500) {
      // A 5xx on a create may come after the job was stored: the core looks the job up before it creates again.
      return b.retryable(code != 501).outcomeUnknown(write).build();
    }
    return b.retryable(false).build();
  }
}
