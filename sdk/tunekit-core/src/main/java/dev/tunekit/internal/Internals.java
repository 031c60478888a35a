package dev.tunekit.internal;

import dev.tunekit.Tunekit;
import java.util.Objects;
import java.util.function.Function;

/**
 * The engine behind a public {@link Tunekit}, for Tunekit's own test kit and modules (the pattern of
 * the JDK's {@code SharedSecrets}): the public API stays free of engine types, and no test needs to
 * declare classes in an API package to reach them. Not an API: it changes without notice.
 */
public final class Internals {
  private static volatile Function<Tunekit, Workflow> workflowOf;

  private Internals() {}

  /** Called once by {@link Tunekit}'s static initialiser. */
  public static void install(Function<Tunekit, Workflow> accessor) {
    workflowOf = Objects.requireNonNull(accessor, "accessor");
  }

  /** The workflow (ledger, resilient provider, config) of {@code tunekit}. */
  public static Workflow workflow(Tunekit tunekit) {
    if (workflowOf == null) {
      try {
        Class.forName(Tunekit.class.getName(), true, Tunekit.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return workflowOf.apply(Objects.requireNonNull(tunekit, "tunekit"));
  }
}
