package dev.tunekit.eval;

/**
 * Hears about progress of an evaluation, for a service's own progress reporting. (In JShell, use
 * {@link EvalRunner.Builder#progressBar(boolean)} instead.) Called from worker threads: keep it quick
 * and thread-safe.
 */
@FunctionalInterface
public interface EvalListener {

  /**
   * One case finished against {@code target}.
   *
   * @param target the target's name
   * @param result the case's result
   * @param done how many cases of this run have finished, over all targets
   * @param total how many cases this run has, over all targets
   */
  void onCaseFinished(String target, CaseResult result, int done, int total);
}
