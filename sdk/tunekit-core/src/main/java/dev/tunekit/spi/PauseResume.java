package dev.tunekit.spi;

/**
 * The capability to pause a running job and resume it later. Resuming alone is {@link Resumable}, which this
 * extends, so a provider with this capability has that one too.
 */
public interface PauseResume extends Resumable {
  /** Pauses the job. */
  RemoteJob pause(String jobId);

  /** Resumes a paused job. */
  @Override
  RemoteJob resume(String jobId);
}
