package dev.tunekit.internal.ledger;

import dev.tunekit.spi.Deployment;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/** The {@code deployments} table: each run's deployment as last seen. */
public final class DeploymentRepository {
  private final Jdbc db;
  private final Clock clock;

  DeploymentRepository(Jdbc db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  int upsert(Connection c, String runId, Deployment d) throws SQLException {
    return Jdbc.update(c, "INSERT INTO deployments (run_id, deployment_id, model_id, inference_model, state, raw_state,"
        + " updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(run_id) DO UPDATE SET deployment_id = excluded.deployment_id,"
        + " model_id = excluded.model_id, inference_model = excluded.inference_model, state = excluded.state,"
        + " raw_state = excluded.raw_state, updated_at = excluded.updated_at",
        runId, d.id(), d.modelId(), d.inferenceModel(), d.state().name(), d.rawState(), clock.millis());
  }

  public Optional<Deployment> of(String runId) {
    return db.read(c -> Jdbc.one(c, "SELECT deployment_id, model_id, inference_model, state, raw_state"
        + " FROM deployments WHERE run_id = ?", rs -> Deployment.builder().id(rs.getString(1))
        .modelId(rs.getString(2)).inferenceModel(rs.getString(3)).state(Deployment.State.valueOf(rs.getString(4)))
        .rawState(rs.getString(5)).build(), runId));
  }
}
