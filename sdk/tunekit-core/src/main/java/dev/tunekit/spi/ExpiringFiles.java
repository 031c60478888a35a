package dev.tunekit.spi;

/**
 * Declares that this provider deletes uploaded files by itself after a while (Ray, for one, drops a package no
 * job refers to after about ten minutes). The core uploads a file once per content hash and reuses that upload
 * across runs; for a provider with this capability it first asks {@link TuningProvider#findFile} whether the
 * provider still holds the file, and uploads it again when it does not. A provider without it keeps its files
 * until they are deleted on purpose, and a recorded upload is reused without a remote call.
 */
public interface ExpiringFiles extends Capability {}
