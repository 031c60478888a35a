package dev.tunekit.spi;

import java.util.Map;

/**
 * The capability to make a tuned model callable through a deployment (a managed deployment, a custom
 * model deployment, a LoRA adapter loaded into a serving engine). A provider without it serves tuned models as soon as
 * training succeeds.
 */
public interface Deployments extends Capability {
  /**
   * Creates (or finds, by {@code name}) the deployment of {@code modelId}.
   *
   * @param modelId the tuned model
   * @param name a deployment name chosen by the core, stable per run: the idempotency key
   * @param options deployment options from config or the run
   */
  Deployment deploy(String modelId, String name, Map<String, Object> options);

  /** The current state of a deployment. */
  Deployment deployment(String deploymentId);

  /** Removes a deployment (stops hourly hosting charges where there are any). */
  void undeploy(String deploymentId);
}
