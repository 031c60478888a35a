package dev.tunekit.error;

/**
 * The provider no longer accepts new fine-tuning jobs of this kind from this account (a provider
 * winding its fine-tuning service down, or withdrawing it from some accounts). It is definite: no job
 * was created, nothing was billed for training, and neither a retry nor a resume would change the
 * answer. The message names the one config line that runs the same script on another provider.
 * Models this provider already tuned are not affected by it.
 */
public class TrainingUnavailableException extends ProviderException {
  private static final long serialVersionUID = 1L;

  TrainingUnavailableException(Builder builder) {
    super(builder);
  }
}
