package dev.tunekit.spi;

/** The capability to pause a running job and resume it later. */
public interface PauseResume extends Capability {
  /** Pauses the job. */
  RemoteJob pause(String jobId);

  /** Resumes a paused job. */
  RemoteJob resume(String jobId);
}
