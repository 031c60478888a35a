package dev.tunekit.testing.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.Deployments;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules for the {@link Deployments} capability. */
public interface DeploymentsContract extends CapabilityContract {

  /**
   * Deploying a tuned model gives a deployment of that model that can be read back and removed. If this
   * fails, check that {@code deploy} returns the provider's deployment id (not the model id, unless they
   * are the same thing) and that {@code deployment(id)} reads that id.
   */
  @Test
  default void optional_deployments_deployReadUndeploy() {
    Deployments d = require(Deployments.class);
    String model = fixture().deployableModel();
    Deployment created = d.deploy(model, "tck-deployment", Map.of());
    assertThat(created.modelId()).as("deployed model").isEqualTo(model);
    assertThat(created.id()).as("deployment id").isNotBlank();
    assertThat(created.inferenceModel()).as("what to call for inference").isNotBlank();
    assertThat(created.state()).as("state right after deploy").isIn(Deployment.State.CREATING, Deployment.State.ACTIVE);
    Deployment read = d.deployment(created.id());
    assertThat(read.id()).as("deployment read back by its id").isEqualTo(created.id());
    assertThatCode(() -> d.undeploy(created.id())).as("undeploy").doesNotThrowAnyException();
  }

  /**
   * The deployment name is the idempotency key: deploying again under the same name (a retry, a resumed
   * run) returns the same deployment, never a second one. If this fails, check that {@code deploy} looks
   * the name up before it creates.
   */
  @Test
  default void optional_deployments_sameNameTwice_sameDeployment() {
    Deployments d = require(Deployments.class);
    String model = fixture().deployableModel();
    Deployment first = d.deploy(model, "tck-twice", Map.of());
    Deployment second = d.deploy(model, "tck-twice", Map.of());
    assertThat(second.id()).as("second deploy under the same name").isEqualTo(first.id());
  }
}
