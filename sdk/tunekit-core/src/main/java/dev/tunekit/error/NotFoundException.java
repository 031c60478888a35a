package dev.tunekit.error;

/** The remote file, job, model or deployment does not exist (HTTP 404). Never retried. */
public class NotFoundException extends ProviderException {
  private static final long serialVersionUID = 1L;

  NotFoundException(Builder builder) {
    super(builder);
  }
}
