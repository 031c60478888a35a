package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.UnsupportedCapabilityException;
import dev.tunekit.model.JobStatus;
import dev.tunekit.spi.PauseResume;
import dev.tunekit.spi.Resumable;
import org.junit.jupiter.api.Test;

/**
 * {@link Run#resumeJob()} asks the provider for {@link Resumable} (resume alone), which {@link PauseResume}
 * includes: a provider without it is named in an {@link UnsupportedCapabilityException} before any call, and a run
 * with no job says so. (Fireworks' FireworksResumeTest resumes a paused job through it.)
 */
class ResumeJobTest extends FakeProviderTest {

  @Test
  void pauseResume_isAResumable() {
    assertThat(Resumable.class.isAssignableFrom(PauseResume.class)).isTrue();
  }

  @Test
  void resumeJob_onAProviderThatCannotResume_namesTheNarrowCapability() {
    try (Tunekit tk = open()) {
      fake.script(new JobStatus.Paused("paused"), new JobStatus.Succeeded("succeeded", java.util.Optional.of("ft:m")));
      Run run = tk.fineTune().model("m").trainingData(train).start();
      int before = fake.callLog().size();
      assertThatThrownBy(run::resumeJob).isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining("Provider fake does not support Resumable: cannot resume job");
      assertThat(fake.callLog()).hasSize(before);
    }
  }
}
