package dev.tunekit.local;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** What a {@link Trainer} gets for one job: the data, the hyperparameters and a way to report progress. */
public interface TrainingContext {

  /** The job id ({@code ftjob-…}). */
  String jobId();

  /** The base model the job was created for. */
  String baseModel();

  /** The training file (JSONL) on local disk. */
  Path trainingFile();

  /** The validation file (JSONL), if the job has one. */
  Optional<Path> validationFile();

  /** Epochs requested ({@code n_epochs}), empty for {@code auto}. */
  OptionalInt epochs();

  /** Batch size requested, empty for {@code auto}. */
  OptionalInt batchSize();

  /** Learning-rate multiplier requested, empty for {@code auto}. */
  OptionalDouble learningRateMultiplier();

  /** The job's seed (given or generated, always reported on the job). */
  long seed();

  /**
   * The job's other hyperparameters, as the client sent them beside {@code n_epochs}, {@code batch_size} and
   * {@code learning_rate_multiplier} (Tunekit's {@code Hyperparameters.extras()}), such as {@code lora_r}.
   */
  default Map<String, Object> extras() {
    return Map.of();
  }

  /** The model name suffix, if any. */
  Optional<String> suffix();

  /** An empty directory owned by this job, where the trainer writes its model and checkpoints. */
  Path outputDir();

  /** Adds a job event ({@code level} is {@code info}, {@code warn} or {@code error}). */
  void log(String level, String message);

  /**
   * Reports metrics of one step: a {@code metrics} event and a row of the result file. Known keys:
   * {@code train_loss}, {@code train_mean_token_accuracy}, {@code valid_loss},
   * {@code valid_mean_token_accuracy}, {@code total_steps}; others are kept in the event data.
   */
  void metrics(long step, Map<String, Double> values);

  /** Records a checkpoint at {@code step}; {@code artifact} is what {@link Trainer#load(Path)} loads to serve it. */
  void checkpoint(long step, Map<String, Double> metrics, Path artifact);

  /**
   * Call between steps: waits the configured step delay, blocks while the job is paused and throws
   * {@link java.util.concurrent.CancellationException} once it is cancelled.
   */
  void awaitNextStep() throws InterruptedException;

  /** Whether the job is paused now (for trainers that cannot call {@link #awaitNextStep()}). */
  boolean paused();
}
