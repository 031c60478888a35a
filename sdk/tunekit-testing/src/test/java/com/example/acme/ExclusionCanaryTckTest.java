package com.example.acme;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * The canary that proves {@code tck-exclusions.txt} is read (as in the JCache TCK): the same contract
 * as {@link FakeProviderTckTest}, plus one optional rule that always fails. This module's exclusion
 * file lists that rule, so the build stays green only while exclusions really reach the run; and the
 * required rule {@code required_exclusions_nameRealRules} checks that the file's entry names a rule
 * this class has.
 */
class ExclusionCanaryTckTest extends FakeProviderTckTest {

  @Test
  void optional_canary_alwaysFailsUnlessExcluded() {
    fail("tck-exclusions.txt was not applied: this rule is listed there and must not run");
  }
}
