package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.Resumable;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Rules for the {@link PauseResume} capability and for {@link Resumable} (resume alone), which it extends: the
 * resume rule applies to any provider that can resume a job, the pause rule only to one that can also pause.
 */
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

  /**
   * A paused job resumes into a non-paused, non-terminal state, and reads say so afterwards. The paused job is the
   * fixture's {@link ProviderFixture#pausedJob()}, or, for a provider that can pause, a running job it paused. If
   * this fails, check the resume call and that the provider returns the job as the resume left it.
   */
  @Test
  default void optional_resume_pausedJob_resumes() {
    Resumable r = require(Resumable.class);
    Optional<PauseResume> pausing = provider().capability(PauseResume.class);
    String id;
    if (pausing.isPresent()) {
      id = fixture().runningJob();
      pausing.get().pause(id);
    } else {
      id = fixture().pausedJob();
    }
    assertThat(provider().job(id).status()).as("job before resume").isInstanceOf(JobStatus.Paused.class);
    RemoteJob resumed = r.resume(id);
    assertThat(resumed.id()).as("id of the resumed job").isEqualTo(id);
    assertThat(resumed.status()).as("job after resume").isNotInstanceOf(JobStatus.Paused.class);
    assertThat(resumed.status().isTerminal()).as("job after resume is still alive: " + resumed.status()).isFalse();
    assertThat(provider().job(id).status()).as("job read after resume").isNotInstanceOf(JobStatus.Paused.class);
  }
}
