package dev.tunekit.testing.tck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Known gaps, kept in a file rather than in code (the JCache TCK's exclude list): each line of
 * {@value #RESOURCE} on the test class path names one rule of one TCK class and why it is excluded,
 * <pre>
 * # class#rule                                        reason (shown in the summary)
 * AzureTckTest#optional_deployments_deployReadUndeploy  ARM deployments are not implemented yet (issue 12)
 * </pre>
 * An excluded rule is reported as excluded, with its reason, in the class's {@link TckSummary}; it
 * is not run. Only {@code optional_} rules can be excluded: the base contract is never waived. The
 * required rule {@code required_exclusions_nameRealRules} fails when an entry names a rule the class
 * does not have, so a typo cannot silently exclude nothing, and a rule that starts passing should
 * have its line removed.
 */
public final class TckExclusions implements ExecutionCondition {
  /** The exclusion file's class-path name. */
  public static final String RESOURCE = "tck-exclusions.txt";

  /** One line: the class's simple name, the rule, the reason, and where it was read. */
  record Entry(String testClass, String rule, String reason, String source) {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      return ConditionEvaluationResult.enabled("class level");
    }
    Optional<Entry> e = find(context.getRequiredTestClass(), context.getRequiredTestMethod().getName());
    return e.map(x -> ConditionEvaluationResult.disabled("EXCLUDED (known gap): " + x.reason()))
        .orElseGet(() -> ConditionEvaluationResult.enabled("not excluded"));
  }

  static Optional<Entry> find(Class<?> testClass, String rule) {
    return entriesFor(testClass).stream().filter(e -> e.rule().equals(rule)).findFirst();
  }

  /** The entries naming {@code testClass} (by simple name), from every exclusion file on its class path. */
  static List<Entry> entriesFor(Class<?> testClass) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : all(testClass.getClassLoader()).values()) {
      if (e.testClass().equals(testClass.getSimpleName())) {
        out.add(e);
      }
    }
    return out;
  }

  private static Map<String, Entry> all(ClassLoader loader) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    try {
      Enumeration<URL> files = loader == null ? Collections.emptyEnumeration() : loader.getResources(RESOURCE);
      for (URL url : Collections.list(files)) {
        try (InputStream in = url.openStream();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          int n = 0;
          while ((line = r.readLine()) != null) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
              continue;
            }
            String[] parts = t.split("\\s+", 2);
            int hash = parts[0].indexOf('#');
            String where = url + ":" + n;
            if (hash <= 0 || hash == parts[0].length() - 1 || parts.length < 2 || parts[1].isBlank()) {
              throw new IllegalStateException(where + ": expected 'TestClass#rule  reason', got: " + t);
            }
            String rule = parts[0].substring(hash + 1);
            if (!rule.startsWith("optional_")) {
              throw new IllegalStateException(where + ": only optional_ rules can be excluded, not " + rule);
            }
            entries.put(parts[0], new Entry(parts[0].substring(0, hash), rule, parts[1].strip(), where));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return entries;
  }
}
