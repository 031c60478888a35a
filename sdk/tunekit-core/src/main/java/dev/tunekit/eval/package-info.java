/**
 * Provider-neutral evaluation: the same {@link dev.tunekit.eval.EvalSuite} runs against the
 * prompt-engineered baseline and the tuned model (or any {@link dev.tunekit.model.ChatModel}), graded by
 * {@link dev.tunekit.eval.Grader}s, and a tuned model is promoted only when its
 * {@link dev.tunekit.eval.EvalReport} beats the baseline's.
 *
 * <pre>{@code
 * EvalSuite suite = EvalSuite.load(Path.of("evals/orders.yaml")).withGrader(Graders.exactMatch());
 * EvalRunner runner = EvalRunner.builder().cache(EvalCache.inDirectory(Path.of(".tunekit/eval-cache"))).build();
 * EvalComparison cmp = runner.compare(suite, baseline, tuned);
 * cmp.print();
 * cmp.writeHtml(Path.of("eval.html"));
 * cmp.report("tuned").requireImprovementOver(cmp.baseline(), 0.05);
 * }</pre>
 */
package dev.tunekit.eval;
