package dev.tunekit;

import java.util.Objects;

/**
 * Which provider a {@link Tunekit} uses and why, as {@link Tunekit#providerChoice()} reports it.
 *
 * @param provider the provider's name, as {@link Tunekit#provider()} gives it
 * @param reason why it was chosen, naming variables and files but never their values, such as
 *     "MY_API_KEY is set" or "provider: at tunekit.yaml:1"
 */
public record ProviderChoice(String provider, String reason) {
  /** Checks that both parts are present. */
  public ProviderChoice {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(reason, "reason");
  }
}
