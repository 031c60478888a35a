package dev.tunekit.examples.service;

import java.util.List;

/**
 * The body of every error answer: {@code {"error": {"what", "where", "fix", "findings"}}}.
 *
 * @param what what is wrong
 * @param where where: a request field, a line and column of the request body, or a file and line
 * @param fix how to fix it
 * @param findings a dataset's errors, each with its line (empty otherwise)
 */
public record ApiError(String what, String where, String fix, List<Finding> findings) {
  /** One dataset finding. */
  public record Finding(String file, long line, String code, String message) {}

  /** {@code {"error": this}}. */
  public java.util.Map<String, ApiError> body() {
    return java.util.Map.of("error", this);
  }
}
