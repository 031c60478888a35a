package dev.tunekit.spi;

/** How a model is trained. Chosen by the core from the dataset's kind and the run's settings. */
public enum TrainingMethod {
  /** Supervised fine-tuning on chat examples. */
  SUPERVISED,
  /** Direct preference optimisation on preference pairs. */
  DPO,
  /** Continued pre-training on unlabeled text. */
  CONTINUED_PRE_TRAINING,
  /** Distillation from a teacher model. */
  DISTILLATION,
  /**
   * Reinforcement fine-tuning: the model answers prompts ({@link dev.tunekit.dataset.DatasetKind#PROMPTS}) and a
   * {@link RewardGrader} the provider calls scores each answer. Needs a grader; offered where a provider says so.
   */
  REINFORCEMENT
}
