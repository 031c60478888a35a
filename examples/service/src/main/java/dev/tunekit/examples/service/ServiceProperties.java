package dev.tunekit.examples.service;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The service's own settings, under {@code service.}.
 *
 * @param dataDir the bundled dataset (train.jsonl, validation.jsonl, heldout.jsonl, baseline-system-prompt.txt)
 *     a request uses for what it does not name
 * @param stateDir where the service keeps what it needs to resume a run after a restart (one JSON file per run:
 *     the eval suite's file, the baseline prompt and the gate; the suite is code, so the ledger keeps only its
 *     fingerprint)
 */
@ConfigurationProperties("service")
public record ServiceProperties(Path dataDir, Path stateDir) {
  /** Defaults: {@code examples/data/nl2query} and {@code .tunekit-service/runs}, relative to the working directory. */
  public ServiceProperties {
    dataDir = (dataDir == null ? Path.of("examples/data/nl2query") : dataDir).toAbsolutePath().normalize();
    stateDir = (stateDir == null ? Path.of(".tunekit-service/runs") : stateDir).toAbsolutePath().normalize();
  }
}
