package dev.tunekit.spring;

import dev.tunekit.error.InvalidInputException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad {@code tunekit.*} setting into Spring Boot's short startup report ("APPLICATION FAILED TO START":
 * what, where and how to fix it) instead of a stack trace.
 */
public final class TunekitFailureAnalyzer extends AbstractFailureAnalyzer<InvalidInputException> {
  /** Creates the analyzer (Spring). */
  public TunekitFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidInputException cause) {
    return new FailureAnalysis("Tunekit could not start: " + cause.getMessage(),
        "Fix the tunekit.* property named above (in application.yml or application.properties). The keys are"
            + " those of tunekit.yaml under the prefix tunekit. (see docs/config.md), written as there, in camelCase.",
        cause);
  }
}
