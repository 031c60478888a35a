package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.spi.Checkpoint;
import dev.tunekit.spi.Checkpoints;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules for the {@link Checkpoints} capability. */
public interface CheckpointsContract extends CapabilityContract {

  /**
   * A job's checkpoints are listed oldest first, each with an id and the model that serves it. If this
   * fails, check paging (every page read) and the sort by step.
   */
  @Test
  default void optional_checkpoints_listedOldestFirstWithModels() {
    Checkpoints c = require(Checkpoints.class);
    List<Checkpoint> all = c.checkpoints(fixture().jobWithCheckpoints());
    assertThat(all).as("checkpoints of a job that saved some").isNotEmpty();
    for (Checkpoint cp : all) {
      assertThat(cp.id()).as("checkpoint id").isNotBlank();
      assertThat(cp.model()).as("model serving checkpoint " + cp.id()).isNotBlank();
    }
    assertThat(all).as("oldest first (by step)")
        .isSortedAccordingTo(java.util.Comparator.comparingLong(cp -> cp.metrics().step()));
  }
}
