package dev.tunekit.examples.service;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tunekit.dataset.InvalidDatasetException;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.TunekitException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every failure of an API request into {@link ApiError} JSON (what, where, how to fix), never a stack trace. */
@RestControllerAdvice
public class ApiErrorHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);
  private static final String FIELDS = "trainingData, validationData, heldout, baselinePrompt, gate, epochs, model, suffix";

  @ExceptionHandler(ApiException.class)
  ResponseEntity<Map<String, ApiError>> api(ApiException e) {
    return answer(e.status(), e.error());
  }

  @ExceptionHandler(InvalidDatasetException.class)
  ResponseEntity<Map<String, ApiError>> dataset(InvalidDatasetException e) {
    String source = e.report().source();
    List<ApiError.Finding> findings = e.report().findings().stream()
        .filter(f -> f.severity().name().equals("ERROR"))
        .map(f -> new ApiError.Finding(source, f.line(), f.code(), f.message())).toList();
    String where = findings.isEmpty() ? source : findings.stream().limit(5)
        .map(f -> source + ":" + f.line()).collect(Collectors.joining(", "));
    return answer(HttpStatus.UNPROCESSABLE_ENTITY, new ApiError("the training data has " + findings.size()
        + " error(s); nothing was uploaded (run " + e.runId() + " is REJECTED)", where,
        "fix the lines listed in findings, then start a new run", findings));
  }

  @ExceptionHandler(InvalidInputException.class)
  ResponseEntity<Map<String, ApiError>> input(InvalidInputException e) {
    return answer(HttpStatus.BAD_REQUEST, new ApiError(e.getMessage(), "the run described by the request body",
        "correct what the message names and send the request again", List.of()));
  }

  @ExceptionHandler(TunekitException.class)
  ResponseEntity<Map<String, ApiError>> tunekit(TunekitException e) {
    log.warn("request failed: {}", e.getMessage());
    return answer(HttpStatus.BAD_GATEWAY, new ApiError(e.getMessage(), "the provider or the run ledger",
        e.resumeRunId().map(id -> "the run is safe in the ledger; it is resumed when the service restarts (run " + id + ")")
            .orElse("try again; if it persists, see the service's log"), List.of()));
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Map<String, ApiError>> unreadable(HttpMessageNotReadableException e) {
    Throwable c = e.getCause();
    if (c instanceof UnrecognizedPropertyException u) {
      return answer(HttpStatus.BAD_REQUEST, new ApiError("unknown field '" + u.getPropertyName() + "'",
          "request body, " + at(u.getLocation()), "use only the fields " + FIELDS + " (all optional)", List.of()));
    }
    if (c instanceof InvalidFormatException f) {
      String field = path(f);
      return answer(HttpStatus.BAD_REQUEST, new ApiError("field '" + field + "' cannot be " + f.getValue() + " (it is a "
          + f.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT) + ")", "request body, field '" + field
          + "', " + at(f.getLocation()), "give a " + f.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT)
          + " for '" + field + "', such as \"gate\": 0.05 or \"epochs\": 2", List.of()));
    }
    if (c instanceof JsonMappingException m) {
      return answer(HttpStatus.BAD_REQUEST, new ApiError("the request body does not fit a run: "
          + m.getOriginalMessage(), "request body" + (m.getPath().isEmpty() ? "" : ", field '" + path(m) + "'") + ", "
          + at(m.getLocation()), "send a JSON object with the fields " + FIELDS, List.of()));
    }
    if (c instanceof JsonProcessingException p) {
      return answer(HttpStatus.BAD_REQUEST, new ApiError("the request body is not valid JSON: " + p.getOriginalMessage(),
          "request body, " + at(p.getLocation()), "send a JSON object such as {\"gate\": 0.05, \"epochs\": 2}", List.of()));
    }
    return answer(HttpStatus.BAD_REQUEST, new ApiError("the request body cannot be read", "request body",
        "send a JSON object with the fields " + FIELDS + ", or no body for the bundled dataset", List.of()));
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<Map<String, ApiError>> mediaType(HttpMediaTypeNotSupportedException e) {
    return answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, new ApiError("the request body is " + e.getContentType()
        + ", not JSON", "header Content-Type", "send Content-Type: application/json", List.of()));
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<Map<String, ApiError>> method(HttpRequestMethodNotSupportedException e, HttpServletRequest req) {
    return answer(HttpStatus.METHOD_NOT_ALLOWED, new ApiError(e.getMethod() + " is not supported here",
        req.getRequestURI(), "use " + String.join(" or ", e.getSupportedMethods() == null ? new String[0]
            : e.getSupportedMethods()), List.of()));
  }

  @ExceptionHandler(NoResourceFoundException.class)
  ResponseEntity<Map<String, ApiError>> notFound(NoResourceFoundException e) {
    return answer(HttpStatus.NOT_FOUND, new ApiError("nothing at /" + e.getResourcePath(), "path",
        "the API is under /api/runs; the page is /", List.of()));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, ApiError>> other(Exception e, HttpServletRequest req) {
    log.error("unexpected failure on {} {}", req.getMethod(), req.getRequestURI(), e);
    return answer(HttpStatus.INTERNAL_SERVER_ERROR, new ApiError("the service failed unexpectedly ("
        + e.getClass().getSimpleName() + ")", req.getRequestURI(), "see the service's log; the request can be retried",
        List.of()));
  }

  private static ResponseEntity<Map<String, ApiError>> answer(HttpStatus status, ApiError error) {
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(error.body());
  }

  private static String at(JsonLocation l) {
    return l == null ? "" : "line " + l.getLineNr() + ", column " + l.getColumnNr();
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }
}
