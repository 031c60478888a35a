package dev.tunekit.spi;

/**
 * Something a {@link TuningProvider} can do beyond the base contract (chat, deployments, pause and
 * resume, checkpoints, webhook verification). The core asks for a capability with
 * {@link TuningProvider#capability(Class)} before it relies on it, never by catching an exception, and
 * the provider test kit checks every capability a provider declares.
 */
public interface Capability {}
