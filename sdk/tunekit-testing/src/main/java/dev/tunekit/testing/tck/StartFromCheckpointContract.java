package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.PreflightProblem;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.StartFromCheckpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules for the {@link StartFromCheckpoint} capability. */
public interface StartFromCheckpointContract extends CapabilityContract {

  /**
   * The fixture's checkpoint passes the offline check, and the create of a job that starts from it sends it: the
   * server received it (in the provider's full form, which contains the reference given). If this fails, check that
   * {@code createJob} reads {@link JobRequest#fromCheckpoint()}.
   */
  @Test
  default void optional_startFromCheckpoint_reachesTheCreatedJob() {
    StartFromCheckpoint start = require(StartFromCheckpoint.class);
    String checkpoint = fixture().checkpoint();
    assertThat(start.checkCheckpoint(checkpoint)).as("problems of the fixture's checkpoint %s", checkpoint).isEmpty();
    RemoteFile file = uploadedChatFile("from-checkpoint");
    JobRequest request = TckValues.jobRequest(fixture().baseModel(), file.id()).toBuilder().fromCheckpoint(checkpoint)
        .build();
    fixture().acceptJob(request);
    provider().createJob(request);
    assertThat(fixture().checkpointSentWith(request)).as("start checkpoint the server received").isPresent()
        .get().asString().contains(checkpoint);
  }

  /**
   * A reference in no form the provider accepts is a problem at {@code fromCheckpoint} that says how to fix it,
   * found offline. If this fails, check {@code checkCheckpoint}.
   */
  @Test
  default void optional_startFromCheckpoint_malformedReference_isAProblem() {
    StartFromCheckpoint start = require(StartFromCheckpoint.class);
    List<PreflightProblem> problems = start.checkCheckpoint("not a checkpoint!");
    assertThat(problems).as("problems of a malformed checkpoint").isNotEmpty().allSatisfy(p -> {
      assertThat(p.where()).isEqualTo("fromCheckpoint");
      assertThat(p.fix()).isNotBlank();
    });
  }
}
