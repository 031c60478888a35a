package dev.tunekit.local;

import dev.tunekit.model.ChatModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Trains one fine-tuning job for the {@link LocalServer}. The server owns the job's state machine
 * (validating_files → queued → running → succeeded / failed / cancelled), its events, checkpoints and
 * result file; a trainer reads the data, reports progress through its {@link TrainingContext} and
 * writes a model into {@link TrainingContext#outputDir()}.
 *
 * <p>Two trainers are built in: {@link #exemplar()} (the default, a retrieval model that learns in
 * seconds on a CPU) and {@link #command(List)} (runs your own training script).
 */
public interface Trainer {

  /** A short name stored with every job and model, such as {@code exemplar} or {@code command}. */
  String name();

  /**
   * Trains a model. Throws {@link dev.tunekit.error.InvalidInputException} for bad training data (the job
   * fails with code {@code invalid_training_file}), {@link java.util.concurrent.CancellationException}
   * or {@link InterruptedException} when cancelled, anything else for a failed run.
   *
   * @return the trained model's location (a file or directory), as {@link #load(Path)} expects it
   */
  Path train(TrainingContext context) throws Exception;

  /**
   * Loads a model this trainer wrote (or a checkpoint it reported) for in-process chat, or returns
   * empty if this kind of model cannot be served by the local server.
   */
  default Optional<ChatModel> load(Path model) {
    return Optional.empty();
  }

  /** The built-in exemplar trainer: BM25 retrieval over the training conversations, see the module README. */
  static Trainer exemplar() {
    return new ExemplarTrainer();
  }

  /**
   * A trainer that runs an external command (argument list, no shell) per job; see the module README
   * for its environment variables and the progress lines it understands.
   */
  static Trainer command(List<String> command) {
    return new CommandTrainer(command);
  }
}
