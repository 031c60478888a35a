package dev.tunekit.spi;

import dev.tunekit.model.ChatModel;

/**
 * The capability to answer chat requests on base and tuned models (for the baseline and the tuned
 * evaluation). A training-only backend (a cluster job runner) does not have it; the core then needs a
 * serving target for evaluation.
 */
public interface Chat extends Capability, ChatModel {}
