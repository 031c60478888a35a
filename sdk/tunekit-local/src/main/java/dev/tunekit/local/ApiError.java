package dev.tunekit.local;

/** An error answered in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  final String type;
  final String param;
  final String code;

  ApiError(int status, String type, String message, String param, String code) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static ApiError invalid(String message, String param) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  static ApiError notFound(String message, String param) {
    return new ApiError(404, "invalid_request_error", message, param, null);
  }
}
