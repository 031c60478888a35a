package dev.tunekit.eval;

import java.util.Objects;

/**
 * Scores one model output for one case. A functional interface, so a JShell lambda is a grader:
 *
 * <pre>{@code
 * Grader shortAnswer = (c, out) -> Grade.of(out.length() < 200, out.length() + " chars");
 * }</pre>
 *
 * <p>Return a failing {@link Grade} when the output is wrong. Throw only when the grader cannot judge
 * (the case lacks an expected value, a judge gave an unreadable verdict): the runner then records an
 * <em>error</em> for that case, never a pass or a fail. Built-in graders are in {@link Graders}.
 */
@FunctionalInterface
public interface Grader {

  /** Grades {@code output}, the model's reply to {@code testCase}. */
  Grade grade(EvalCase testCase, String output);

  /** The name used in reports; lambdas are called {@code custom} unless {@linkplain #named named}. */
  default String name() {
    return "custom";
  }

  /** Gives {@code grader} a name for reports. */
  static Grader named(String name, Grader grader) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(grader, "grader");
    return new Grader() {
      @Override
      public Grade grade(EvalCase testCase, String output) {
        return grader.grade(testCase, output);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return "Grader[" + name + "]";
      }
    };
  }
}
