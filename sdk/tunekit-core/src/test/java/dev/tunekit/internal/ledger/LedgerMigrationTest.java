package dev.tunekit.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.RunState;
import dev.tunekit.error.TunekitException;
import dev.tunekit.internal.EvalHook;
import dev.tunekit.internal.RunSpec;
import dev.tunekit.testing.FakeClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ledger file written by schema 2 opens as schema 3, its runs' states mapped onto the state machine. */
class LedgerMigrationTest {
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();

  /** A run spec exactly as schema 2 wrote it (no "v"), gated at 5 points or not. */
  private static String v2Spec(boolean gated) {
    return "{\"model\":\"gpt-4o-mini\",\"trainingData\":\"/data/train.jsonl\",\"validationData\":null,"
        + "\"validationFraction\":0.1,\"splitSeed\":42,\"hyperparameters\":{\"epochs\":3,\"extras\":{\"warmup\":5}},"
        + "\"suffix\":\"sql\",\"metadata\":{\"team\":\"search\"},\"method\":\"SUPERVISED\",\"eval\":{\"suite\":\"sql\","
        + "\"fingerprint\":\"abc\",\"baselineFirst\":true," + (gated ? "\"minImprovement\":0.05," : "")
        + "\"baselineName\":\"baseline\",\"baselineModel\":\"gpt-4o-mini\",\"baselinePreamble\":[{\"role\":\"system\","
        + "\"content\":\"You write SQL.\"}],\"customBaseline\":false,\"deployFirst\":false}}";
  }

  private static final String V2_GATE_PASSED = "{\"format\":\"tunekit-gate/1\",\"gate\":\"tuned beats baseline\","
      + "\"passed\":true,\"message\":\"+100.0 points\",\"minImprovement\":0.05}";
  private static final String V2_GATE_BLOCKED = V2_GATE_PASSED.replace("true", "false");

  private Path writeV2Ledger() throws Exception {
    Path file = dir.resolve("v2.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      // The schema-2 DDL, as Tunekit 0.x (schema 2) created it.
      s.executeUpdate("CREATE TABLE runs (id TEXT PRIMARY KEY, provider TEXT NOT NULL, base_model TEXT NOT NULL,"
          + " idempotency_key TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL, job_id TEXT, job_status TEXT,"
          + " fine_tuned_model TEXT, training_file_id TEXT, validation_file_id TEXT, submit_attempts INTEGER NOT NULL"
          + " DEFAULT 0, lease_owner TEXT, lease_host TEXT, lease_pid INTEGER, lease_until INTEGER, error TEXT,"
          + " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
      s.executeUpdate("CREATE TABLE uploads (provider TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL,"
          + " size_bytes INTEGER NOT NULL, file_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT,"
          + " lease_host TEXT, lease_pid INTEGER, lease_until INTEGER, created_at INTEGER NOT NULL,"
          + " updated_at INTEGER NOT NULL, PRIMARY KEY (provider, sha256))");
      s.executeUpdate("CREATE TABLE run_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES"
          + " runs(id), at INTEGER NOT NULL, step TEXT NOT NULL, detail TEXT)");
      s.executeUpdate("CREATE TABLE deployments (run_id TEXT PRIMARY KEY REFERENCES runs(id), deployment_id TEXT NOT"
          + " NULL, model_id TEXT NOT NULL, inference_model TEXT NOT NULL, state TEXT NOT NULL, raw_state TEXT NOT NULL,"
          + " updated_at INTEGER NOT NULL)");
      s.executeUpdate("CREATE TABLE eval_results (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL"
          + " REFERENCES runs(id), name TEXT NOT NULL, report TEXT NOT NULL, at INTEGER NOT NULL)");
      s.executeUpdate("CREATE INDEX run_log_by_run ON run_log(run_id, seq)");
      s.executeUpdate("CREATE TABLE webhooks (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)");
      s.executeUpdate("CREATE INDEX runs_by_job ON runs(job_id)");
      s.executeUpdate("PRAGMA user_version = 2");
      run(s, "run-deployed", "SUCCEEDED", true, "ftjob-1");
      evals(s, "run-deployed", V2_GATE_PASSED);
      s.executeUpdate("INSERT INTO deployments VALUES ('run-deployed', 'dep-1', 'ft:m:1', 'ft:m:1', 'ACTIVE', 'active', 1)");
      run(s, "run-passed", "SUCCEEDED", true, "ftjob-2");
      evals(s, "run-passed", V2_GATE_PASSED);
      run(s, "run-blocked", "SUCCEEDED", true, "ftjob-3");
      evals(s, "run-blocked", V2_GATE_BLOCKED);
      run(s, "run-evaluated", "SUCCEEDED", false, "ftjob-4");
      evals(s, "run-evaluated", null);
      run(s, "run-trained", "SUCCEEDED", true, "ftjob-5");
      run(s, "run-baseline", "CREATED", true, null);
      s.executeUpdate("INSERT INTO eval_results (run_id, name, report, at) VALUES ('run-baseline', 'tunekit:baseline',"
          + " '{}', 1)");
      run(s, "run-created", "CREATED", true, null);
      run(s, "run-submitted", "SUBMITTED", true, "ftjob-6");
      run(s, "run-rejected", "REJECTED", true, null);
      run(s, "run-failed", "FAILED", true, "ftjob-7");
      run(s, "run-cancelled", "CANCELLED", true, null);
    }
    return file;
  }

  private static void run(Statement s, String id, String state, boolean gated, String jobId) throws Exception {
    s.executeUpdate("INSERT INTO runs (id, provider, base_model, idempotency_key, spec, state, job_id, created_at,"
        + " updated_at) VALUES ('" + id + "', 'openai', 'gpt-4o-mini', 'tk-" + id + "', '" + v2Spec(gated) + "', '"
        + state + "', " + (jobId == null ? "NULL" : "'" + jobId + "'") + ", 1, 2)");
  }

  private static void evals(Statement s, String id, String gate) throws Exception {
    s.executeUpdate("INSERT INTO eval_results (run_id, name, report, at) VALUES ('" + id + "', 'tunekit:baseline', '{}', 1)");
    s.executeUpdate("INSERT INTO eval_results (run_id, name, report, at) VALUES ('" + id + "', 'tunekit:tuned', '{}', 1)");
    if (gate != null) {
      s.executeUpdate("INSERT INTO eval_results (run_id, name, report, at) VALUES ('" + id + "', 'tunekit:gate', '"
          + gate + "', 1)");
    }
  }

  @Test
  void aV2LedgerIsMigratedAndItsStatesMappedOntoTheStateMachine() throws Exception {
    Path file = writeV2Ledger();
    try (Ledger ledger = Ledger.open(file, clock)) {
      Map<String, RunState> states = ledger.allRuns().stream()
          .collect(Collectors.toMap(Ledger.RunRow::id, Ledger.RunRow::state));
      assertThat(states).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
          Map.entry("run-deployed", RunState.DEPLOYED), Map.entry("run-passed", RunState.GATE_PASSED),
          Map.entry("run-blocked", RunState.GATE_BLOCKED), Map.entry("run-evaluated", RunState.EVALUATED),
          Map.entry("run-trained", RunState.TRAINED), Map.entry("run-baseline", RunState.BASELINE_EVALUATED),
          Map.entry("run-created", RunState.CREATED), Map.entry("run-submitted", RunState.SUBMITTED),
          Map.entry("run-rejected", RunState.REJECTED), Map.entry("run-failed", RunState.FAILED),
          Map.entry("run-cancelled", RunState.CANCELLED)));
      assertThat(ledger.history("run-passed")).containsExactly("* -MIGRATE-> GATE_PASSED");
      assertThat(ledger.run("run-passed").orElseThrow().version()).isZero();

      // The v2 JSON (no "v") still reads: the spec and the gate.
      RunSpec spec = RunSpec.fromJson(ledger.run("run-passed").orElseThrow().spec());
      assertThat(spec.eval().gate()).contains(0.05);
      assertThat(spec.hyperparameters().extra("warmup")).contains(5);
      assertThat(spec.eval().baselinePreamble()).singleElement().extracting(m -> m.content()).isEqualTo("You write SQL.");
      assertThat(EvalHook.readGate(ledger.evalResult("run-blocked", EvalHook.GATE).orElseThrow()).passed()).isFalse();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      var rs = s.executeQuery("PRAGMA user_version");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(4); // schema 4 since the dataset hashes went into columns (3 before)
    }
    try (Ledger again = Ledger.open(file, clock)) { // opening a current ledger changes nothing
      assertThat(again.history("run-passed")).containsExactly("* -MIGRATE-> GATE_PASSED");
    }
  }

  @Test
  void storedJsonCarriesItsFormatVersionAndANewerOneIsRefusedClearly() {
    RunSpec spec = new RunSpec("m", "/t.jsonl", null, 0, 0, dev.tunekit.model.Hyperparameters.builder().epochs(2).build(),
        null, Map.of(), null, null);
    String json = spec.toJson();
    assertThat(json).startsWith("{\"v\":1,");
    assertThat(RunSpec.fromJson(json)).isEqualTo(spec);
    assertThatThrownBy(() -> RunSpec.fromJson(json.replace("\"v\":1", "\"v\":2")))
        .isInstanceOf(TunekitException.class)
        .hasMessageContaining("run description in format v2, written by a newer Tunekit")
        .hasMessageContaining("Upgrade Tunekit");
    String gate = EvalHook.gateJson(new dev.tunekit.eval.GateResult("g", true, "ok"), 0.05);
    assertThat(gate).startsWith("{\"v\":1,").contains("\"passed\":true");
    assertThatThrownBy(() -> EvalHook.readGate(gate.replace("\"v\":1", "\"v\":9")))
        .hasMessageContaining("gate result in format v9, written by a newer Tunekit");
  }

  @Test
  void aLedgerFromANewerSchemaIsRefused() throws Exception {
    Path file = dir.resolve("v9.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.executeUpdate("PRAGMA user_version = 9");
    }
    assertThatThrownBy(() -> Ledger.open(file, clock)).isInstanceOf(TunekitException.class)
        .hasMessageContaining("schema version 9 is newer than this Tunekit (4)");
  }

  /** A schema-3 ledger's runs get their dataset hashes from their first {@code prepare} log line. */
  @Test
  void aV3LedgersRunsGetTheirDatasetHashesFromTheirPrepareLine() throws Exception {
    Path file = dir.resolve("v3.db");
    String t = "1".repeat(64);
    String v = "2".repeat(64);
    try (Ledger l = Ledger.open(file, clock)) {
      l.insertRun("run-1", "ray", "m", "key-1", "{\"v\":1}", RunState.UPLOADED);
      l.insertRun("run-2", "ray", "m", "key-2", "{\"v\":1}", RunState.CREATED);
      l.log("run-1", "prepare", "neutral-chat training 30 examples sha256=" + t + ", validation 10 examples sha256=" + v);
      l.log("run-1", "prepare", "neutral-chat training 30 examples sha256=" + "9".repeat(64)); // a later resume's
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      // back to schema 3: no hash columns
      s.executeUpdate("ALTER TABLE runs DROP COLUMN training_sha256");
      s.executeUpdate("ALTER TABLE runs DROP COLUMN validation_sha256");
      s.executeUpdate("PRAGMA user_version = 3");
    }
    try (Ledger l = Ledger.open(file, clock)) {
      assertThat(l.datasetHashes("run-1")).containsExactly(t, v);
      assertThat(l.datasetHashes("run-2")).as("a run that never prepared").isEmpty();
    }
  }
}
