package dev.tunekit.examples.service;

import org.springframework.http.HttpStatus;

/** A request the service refuses, answered as {@link ApiError} JSON: what is wrong, where, how to fix it. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ApiError error;
  private final HttpStatus status;

  /** A refusal with {@code status}. */
  public ApiException(HttpStatus status, String what, String where, String fix) {
    super(what);
    this.status = status;
    this.error = new ApiError(what, where, fix, java.util.List.of());
  }

  /** The JSON body. */
  public ApiError error() {
    return error;
  }

  /** The HTTP status. */
  public HttpStatus status() {
    return status;
  }
}
