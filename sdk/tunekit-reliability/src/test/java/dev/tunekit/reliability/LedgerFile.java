package dev.tunekit.reliability;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads a run ledger's SQLite file directly, as an auditor: its integrity and a run's log. */
final class LedgerFile {
  private LedgerFile() {}

  /** {@code PRAGMA integrity_check}: "ok" for a sound database. */
  static String integrityCheck(Path ledger) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger.toAbsolutePath());
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return String.join("; ", out);
    }
  }

  /** The steps the ledger recorded for a run, oldest first, as {@code step detail}. */
  static List<String> steps(Path ledger, String runId) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger.toAbsolutePath());
        PreparedStatement ps = c.prepareStatement("SELECT step, detail FROM run_log WHERE run_id = ? ORDER BY seq")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1) + (rs.getString(2) == null ? "" : " " + rs.getString(2)));
        }
        return out;
      }
    }
  }
}
