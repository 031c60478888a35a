package dev.tunekit.eval;

import java.util.Objects;

/** A built-in grader that remembers its {@link GraderSpec}, so a suite can be exported and compared. */
final class DeclaredGrader implements Grader {
  private final String name;
  private final GraderSpec spec;
  private final Grader impl;

  DeclaredGrader(String name, GraderSpec spec, Grader impl) {
    this.name = Objects.requireNonNull(name, "name");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.impl = Objects.requireNonNull(impl, "impl");
  }

  static DeclaredGrader of(GraderSpec spec, Grader impl) {
    return new DeclaredGrader(spec.name(), spec, impl);
  }

  GraderSpec spec() {
    return spec;
  }

  DeclaredGrader renamed(String newName) {
    return new DeclaredGrader(newName, spec, impl);
  }

  @Override
  public Grade grade(EvalCase testCase, String output) {
    return impl.grade(testCase, output);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "Grader[" + name + "]";
  }
}
