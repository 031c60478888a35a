package dev.tunekit.testing.tck;

import dev.tunekit.spi.Capability;
import dev.tunekit.spi.TuningProvider;

/**
 * What a capability contract (an interface with default {@code @Test} methods) needs from the test
 * class it is mixed into; {@link TuningProviderContract} implements it. Add a capability contract to a
 * provider's TCK class with {@code implements DeploymentsContract}.
 */
public interface CapabilityContract {

  /** The provider under test (fresh for each test). */
  TuningProvider provider();

  /** The fixture scripting its server. */
  ProviderFixture fixture();

  /**
   * The provider's {@code type} capability. Fails when the provider declares it but
   * {@link TuningProvider#capability(Class)} answers empty; skips, naming the capability, when the
   * provider neither declares nor offers it.
   */
  <C extends Capability> C require(Class<C> type);

  /**
   * A small chat file uploaded to the provider (the fixture accepting it first), for rules that need a file id;
   * {@link TuningProviderContract} implements it.
   */
  default dev.tunekit.spi.RemoteFile uploadedChatFile(String tag) {
    throw new UnsupportedOperationException("uploadedChatFile needs the TuningProviderContract");
  }
}
