/**
 * The Ray Jobs training engine ({@code provider: ray}): LoRA/QLoRA fine-tuning of open-weight models with the shipped
 * TRL trainer ({@code trainers/trl/tunekit_train.py}), submitted through Ray's Jobs REST API on the dashboard (port
 * 8265) with tunekit-http's {@link dev.tunekit.http.JsonHttpApi} (Ray has no Java client), the data through Ray's
 * package store, the adapter written to a configured output directory. Nothing here is API: users reach it through
 * {@code tunekit.yaml} and the neutral {@code dev.tunekit} types.
 */
package dev.tunekit.ray;
