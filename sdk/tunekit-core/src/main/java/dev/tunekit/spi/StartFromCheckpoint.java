package dev.tunekit.spi;

import java.util.List;

/**
 * The capability to start a job from a checkpoint of an earlier job ({@code FineTune.fromCheckpoint}), sent
 * as {@link JobRequest#fromCheckpoint()}. A run that sets a checkpoint on a provider without this capability
 * is rejected in preflight, before any upload.
 */
public interface StartFromCheckpoint extends Capability {
  /**
   * Checks a checkpoint reference offline (its form, not whether it exists) and returns every problem, each
   * saying which forms the provider accepts; empty when it is well-formed.
   */
  List<PreflightProblem> checkCheckpoint(String checkpoint);
}
