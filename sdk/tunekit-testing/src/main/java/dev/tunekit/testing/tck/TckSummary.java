package dev.tunekit.testing.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Counts the contract's rules as they run and prints one summary per provider test class: required
 * rules passed, optional rules passed, and every skip with the capability it names. Registered by
 * {@link TuningProviderContract}.
 */
public final class TckSummary implements TestWatcher, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TckSummary.class);

  /** One class's tally. */
  static final class Tally {
    int required;
    int requiredPassed;
    int optional;
    int optionalPassed;
    final List<String> failed = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();

    String render(String provider) {
      StringBuilder sb = new StringBuilder("TCK summary for ").append(provider).append(": required ")
          .append(requiredPassed).append('/').append(required).append(" passed; optional ").append(optionalPassed)
          .append('/').append(optional).append(" passed, ").append(skipped.size()).append(" skipped");
      failed.forEach(f -> sb.append("\n  FAILED  ").append(f));
      skipped.forEach(s -> sb.append("\n  skipped ").append(s));
      return sb.toString();
    }
  }

  private static Tally tally(ExtensionContext context) {
    ExtensionContext classContext = context.getParent().filter(p -> p.getTestClass().isPresent()
        && p.getTestMethod().isEmpty()).orElse(context);
    return classContext.getStore(NS).getOrComputeIfAbsent(Tally.class, k -> new Tally(), Tally.class);
  }

  private static String rule(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
  }

  private static void count(ExtensionContext context, boolean passed, Optional<String> skipReason, boolean failed) {
    String rule = rule(context);
    Tally t = tally(context);
    synchronized (t) {
      boolean required = rule.startsWith("required_");
      if (required) {
        t.required++;
        t.requiredPassed += passed ? 1 : 0;
      } else {
        t.optional++;
        t.optionalPassed += passed ? 1 : 0;
      }
      skipReason.ifPresent(r -> t.skipped.add(rule + ": " + r));
      if (failed) {
        t.failed.add(rule);
      }
    }
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    count(context, true, Optional.empty(), false);
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    count(context, false, Optional.of(String.valueOf(cause.getMessage())), false);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    count(context, false, Optional.empty(), true);
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    count(context, false, Optional.of("disabled: " + reason.orElse("no reason given")), false);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Tally t = context.getStore(NS).get(Tally.class, Tally.class);
    if (t == null) {
      return;
    }
    String summary = t.render(context.getRequiredTestClass().getSimpleName());
    System.out.println(summary);
    context.publishReportEntry("tck-summary", summary);
  }
}
