package dev.tunekit.spi;

/**
 * The capability to resume a paused job. A provider that can also pause a job has {@link PauseResume}, which
 * extends this one; a provider that pauses jobs only by itself (Fireworks pauses a job on account suspension, for
 * example) and documents a resume call has this one alone. {@code Run.resumeJob()} asks for it.
 */
public interface Resumable extends Capability {
  /** Resumes a paused job and returns it as the resume call left it. */
  RemoteJob resume(String jobId);
}
