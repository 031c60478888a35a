package dev.tunekit.internal.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/** The {@code uploads} table: one row per (provider, content hash), so a file is uploaded once across runs. */
public final class UploadRepository {
  private final Clock clock;

  UploadRepository(Clock clock) {
    this.clock = clock;
  }

  int attempt(Connection c, String provider, String sha256) throws SQLException {
    return Jdbc.update(c, "UPDATE uploads SET attempts = attempts + 1, updated_at = ? WHERE provider = ? AND sha256 = ?",
        clock.millis(), provider, sha256);
  }

  int done(Connection c, String provider, String sha256, String fileId) throws SQLException {
    return Jdbc.update(c, "UPDATE uploads SET file_id = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?"
        + " WHERE provider = ? AND sha256 = ?", fileId, clock.millis(), provider, sha256);
  }

  /** Drops the row of an upload the provider deleted, if it still records {@code fileId}: the next claim starts anew. */
  int expired(Connection c, String provider, String sha256, String fileId) throws SQLException {
    return Jdbc.update(c, "DELETE FROM uploads WHERE provider = ? AND sha256 = ? AND file_id = ?", provider, sha256, fileId);
  }
}
