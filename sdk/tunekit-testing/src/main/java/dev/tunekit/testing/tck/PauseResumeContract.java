package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.RemoteJob;
import org.junit.jupiter.api.Test;

/** Rules for the {@link PauseResume} capability. */
public interface PauseResumeContract extends CapabilityContract {

  /**
   * A running job pauses, and resumes into a non-paused, non-terminal state. If this fails, check that
   * the provider maps its paused status to {@link JobStatus.Paused} and returns the job as the pause
   * and resume calls left it.
   */
  @Test
  default void optional_pauseResume_pauseThenResume() {
    PauseResume p = require(PauseResume.class);
    String id = fixture().runningJob();
    RemoteJob paused = p.pause(id);
    assertThat(paused.status()).as("job after pause").isInstanceOf(JobStatus.Paused.class);
    assertThat(provider().job(id).status()).as("job read after pause").isInstanceOf(JobStatus.Paused.class);
    RemoteJob resumed = p.resume(id);
    assertThat(resumed.status()).as("job after resume").isNotInstanceOf(JobStatus.Paused.class);
    assertThat(resumed.status().isTerminal()).as("job after resume is still alive: " + resumed.status()).isFalse();
  }
}
