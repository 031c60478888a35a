package dev.tunekit.spi;

import java.util.Objects;

/**
 * A tuned model made ready for inference.
 *
 * @param id the provider's deployment id (equal to the model id where no deployment step exists)
 * @param modelId the tuned model that is deployed
 * @param inferenceModel what to pass as {@link dev.tunekit.model.ChatRequest#model()} to reach it
 * @param state the neutral state
 * @param rawState the provider's own spelling of the state
 */
public record Deployment(String id, String modelId, String inferenceModel, State state, String rawState) {

  /** Neutral deployment state; {@link #UNKNOWN} for states Tunekit does not know ({@code rawState} keeps them). */
  public enum State { CREATING, ACTIVE, FAILED, DELETED, UNKNOWN }

  /** Canonical constructor. */
  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(inferenceModel, "inferenceModel");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(rawState, "rawState");
  }

  /** A model that needs no deployment: it is served as soon as training succeeds. */
  public static Deployment immediate(String modelId) {
    return new Deployment(modelId, modelId, modelId, State.ACTIVE, "active");
  }
}
