package dev.tunekit.error;

import java.util.Objects;

/**
 * The provider in use does not have a capability the call needs (chat, deployments, pause and
 * resume, checkpoints, webhook verification). Raised before anything is sent to the provider. The
 * message is stable: {@code Provider <name> does not support <Capability>: <what was asked>. <advice>}.
 */
public class UnsupportedCapabilityException extends TunekitException {
  private static final long serialVersionUID = 1L;

  private final String provider;
  private final String capability;

  /**
   * @param provider the provider's name, as chosen in config
   * @param capability the capability interface's simple name, such as {@code Chat}
   * @param action what was asked for, such as {@code chat with model m}
   * @param advice what to do instead, or empty
   */
  public UnsupportedCapabilityException(String provider, String capability, String action, String advice) {
    super("Provider " + Objects.requireNonNull(provider, "provider") + " does not support "
        + Objects.requireNonNull(capability, "capability") + ": cannot " + Objects.requireNonNull(action, "action")
        + "." + (advice == null || advice.isBlank() ? "" : " " + advice));
    this.provider = provider;
    this.capability = capability;
  }

  /** The provider's name. */
  public String provider() {
    return provider;
  }

  /** The missing capability's simple name, such as {@code Deployments}. */
  public String capability() {
    return capability;
  }
}
