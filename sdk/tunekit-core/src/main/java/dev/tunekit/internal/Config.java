package dev.tunekit.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A resolved configuration: the chosen provider and its settings ({@code ${ENV}} references
 * resolved), the ledger and work directory, resilience and polling. Its {@link #toString()} names
 * setting keys only, never values (they hold secrets).
 *
 * @param provider the provider name
 * @param providerValues the chosen provider's settings
 * @param ledger the ledger database file (unused when {@code ledgerUrl} is set)
 * @param workDir where converted datasets and provider state go (both paths are made absolute)
 * @param resilience the retry layer and circuit breaker
 * @param polling how runs wait for their jobs
 * @param source where this came from, for error messages ({@code tunekit.yaml})
 * @param providerLocation where the provider was chosen ({@code tunekit.yaml:1} or {@code TUNEKIT_PROVIDER})
 * @param evaluation limits of the evaluation targets Tunekit builds (baseline and tuned)
 * @param sections every section under {@code providers:}, by name, to the literal text of its {@code type:}
 *     ({@code ""} when it has none), so that a misspelt section name is found
 * @param locations where things were written, for error messages: {@code providers.<section>},
 *     {@code providers.<section>.type} and {@code providers.<chosen>.<key>} to {@code file:line}
 * @param ledgerUrl the ledger's JDBC URL when {@code ledger:} (or {@code TUNEKIT_LEDGER}) is one, such as
 *     {@code jdbc:postgresql://host/db}; else null. Shown only with its password redacted
 */
public record Config(
    String provider,
    Map<String, Object> providerValues,
    Path ledger,
    Path workDir,
    ResilienceSettings resilience,
    PollingSettings polling,
    String source,
    String providerLocation,
    EvaluationSettings evaluation,
    Map<String, String> sections,
    Map<String, String> locations,
    String ledgerUrl) {

  /** A config whose ledger is a file. */
  public Config(String provider, Map<String, Object> providerValues, Path ledger, Path workDir,
      ResilienceSettings resilience, PollingSettings polling, String source, String providerLocation,
      EvaluationSettings evaluation, Map<String, String> sections, Map<String, String> locations) {
    this(provider, providerValues, ledger, workDir, resilience, polling, source, providerLocation, evaluation,
        sections, locations, null);
  }

  /** This config with its ledger at the JDBC URL {@code url} (null: the file {@link #ledger()}). */
  public Config withLedgerUrl(String url) {
    return new Config(provider, providerValues, ledger, workDir, resilience, polling, source, providerLocation,
        evaluation, sections, locations, url);
  }

  /** Where the ledger is, for messages: the file, or the URL with any password redacted. */
  public String ledgerLocation() {
    return ledgerUrl != null ? dev.tunekit.internal.ledger.JdbcUrls.redact(ledgerUrl) : ledger.toString();
  }

  /** A config without section names or locations (built in code). */
  public Config(String provider, Map<String, Object> providerValues, Path ledger, Path workDir,
      ResilienceSettings resilience, PollingSettings polling, String source, String providerLocation,
      EvaluationSettings evaluation) {
    this(provider, providerValues, ledger, workDir, resilience, polling, source, providerLocation, evaluation,
        Map.of(), Map.of());
  }

  /** A config with the default evaluation limits. */
  public Config(String provider, Map<String, Object> providerValues, Path ledger, Path workDir,
      ResilienceSettings resilience, PollingSettings polling, String source, String providerLocation) {
    this(provider, providerValues, ledger, workDir, resilience, polling, source, providerLocation,
        EvaluationSettings.defaults());
  }

  public Config {
    Objects.requireNonNull(provider, "provider");
    providerValues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providerValues));
    // Resolved once, here, against the working directory of the moment: every path derived from them
    // (provider state, eval cache, run output) is then absolute, whatever the caller gave.
    ledger = Objects.requireNonNull(ledger, "ledger").toAbsolutePath().normalize();
    workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath().normalize();
    Objects.requireNonNull(resilience, "resilience");
    Objects.requireNonNull(polling, "polling");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(evaluation, "evaluation");
    sections = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sections));
    locations = Map.copyOf(locations);
  }

  @Override
  public String toString() {
    return "Config{provider=" + provider + ", settings=" + providerValues.keySet() + ", ledger=" + ledgerLocation()
        + ", workDir=" + workDir + ", source=" + source + "}";
  }
}
