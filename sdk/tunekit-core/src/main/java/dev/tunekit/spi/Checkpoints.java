package dev.tunekit.spi;

import java.util.List;

/** The capability to list the checkpoints a job saved while it trained. */
public interface Checkpoints extends Capability {
  /** The job's checkpoints, oldest first. */
  List<Checkpoint> checkpoints(String jobId);
}
