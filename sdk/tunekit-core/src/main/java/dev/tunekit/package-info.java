/**
 * Tunekit: repeatable, provider-neutral fine-tuning. Start at {@link dev.tunekit.Tunekit}
 * ({@code fromConfig}, {@code local}, {@code builder}); describe a run with
 * {@link dev.tunekit.FineTune}, follow it with a {@link dev.tunekit.Run} and a
 * {@link dev.tunekit.RunListener}. A run may carry an eval suite ({@link dev.tunekit.FineTune#evaluateWith}):
 * its baseline is evaluated before anything is uploaded, the tuned model when the job succeeds, and a
 * gate decides whether {@link dev.tunekit.Run#deploy()} may promote it. Every step is recorded in a run ledger so a run can be resumed
 * after a crash without paying twice; every provider call goes through one retry layer. Errors are
 * {@link dev.tunekit.error.TunekitException}s whose subclasses say what the caller can do.
 */
package dev.tunekit;

import dev.tunekit.error.TunekitException;
