package dev.tunekit.spi;

import java.util.Objects;

/**
 * A tuned model made ready for inference. Immutable; built with {@link #builder()}.
 */
public final class Deployment {

  /** Neutral deployment state; {@link #UNKNOWN} for states Tunekit does not know ({@code rawState} keeps them). */
  public enum State { CREATING, ACTIVE, FAILED, DELETED, UNKNOWN }

  private final String id;
  private final String modelId;
  private final String inferenceModel;
  private final State state;
  private final String rawState;

  private Deployment(Builder b) {
    this.id = Objects.requireNonNull(b.id, "Deployment.id is required");
    this.modelId = Objects.requireNonNull(b.modelId, "Deployment.modelId is required");
    this.inferenceModel = b.inferenceModel != null ? b.inferenceModel : b.id;
    this.state = Objects.requireNonNull(b.state, "Deployment.state is required");
    this.rawState = b.rawState != null ? b.rawState : b.state.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * A builder; {@code id}, {@code modelId} and {@code state} are required; {@code inferenceModel}
   * defaults to the id and {@code rawState} to the state's name in lower case.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this deployment's values. */
  public Builder toBuilder() {
    return new Builder().id(id).modelId(modelId).inferenceModel(inferenceModel).state(state).rawState(rawState);
  }

  /** A model that needs no deployment: it is served as soon as training succeeds. */
  public static Deployment immediate(String modelId) {
    return builder().id(modelId).modelId(modelId).inferenceModel(modelId).state(State.ACTIVE).rawState("active")
        .build();
  }

  /** The provider's deployment id (equal to the model id where no deployment step exists). */
  public String id() {
    return id;
  }

  /** The tuned model that is deployed. */
  public String modelId() {
    return modelId;
  }

  /** What to pass as {@link dev.tunekit.model.ChatRequest#model()} to reach it. */
  public String inferenceModel() {
    return inferenceModel;
  }

  /** The neutral state. */
  public State state() {
    return state;
  }

  /** The provider's own spelling of the state. */
  public String rawState() {
    return rawState;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deployment d && id.equals(d.id) && modelId.equals(d.modelId)
        && inferenceModel.equals(d.inferenceModel) && state == d.state && rawState.equals(d.rawState);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, modelId, inferenceModel, state, rawState);
  }

  @Override
  public String toString() {
    return "Deployment[id=" + id + ", modelId=" + modelId + ", inferenceModel=" + inferenceModel + ", state=" + state
        + ", rawState=" + rawState + "]";
  }

  /** Builds a {@link Deployment}. */
  public static final class Builder {
    private String id;
    private String modelId;
    private String inferenceModel;
    private State state;
    private String rawState;

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder modelId(String modelId) {
      this.modelId = modelId;
      return this;
    }

    public Builder inferenceModel(String inferenceModel) {
      this.inferenceModel = inferenceModel;
      return this;
    }

    public Builder state(State state) {
      this.state = state;
      return this;
    }

    public Builder rawState(String rawState) {
      this.rawState = rawState;
      return this;
    }

    /** @throws NullPointerException naming the missing field */
    public Deployment build() {
      return new Deployment(this);
    }
  }
}
