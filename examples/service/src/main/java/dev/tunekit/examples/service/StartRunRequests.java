package dev.tunekit.examples.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * Reads a {@link StartRunRequest} from the request body token by token, so every mistake is reported at its own
 * line and column (data binding to a record buffers the whole object and would point past its end).
 */
final class StartRunRequests {
  private static final JsonFactory JSON = new JsonFactory();
  private static final List<String> TEXT = List.of("trainingData", "validationData", "heldout", "baselinePrompt",
      "model", "suffix");
  private static final String FIELDS = "trainingData, validationData, heldout, baselinePrompt, gate, epochs, model,"
      + " suffix";

  private StartRunRequests() {}

  static StartRunRequest parse(String body) {
    if (body == null || body.isBlank()) {
      return new StartRunRequest(null, null, null, null, null, null, null, null);
    }
    Map<String, Object> v = new HashMap<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad("the request body is not a JSON object", p.currentTokenLocation(), null,
            "send a JSON object such as {\"gate\": 0.05, \"epochs\": 2}, or no body for the defaults");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.nextToken();
        if (v.containsKey(name)) {
          throw bad("field '" + name + "' is given twice", at, name, "keep one '" + name + "'");
        }
        if (t == JsonToken.VALUE_NULL) {
          v.put(name, null);
          continue;
        }
        if (TEXT.contains(name)) {
          if (t != JsonToken.VALUE_STRING) {
            throw bad("field '" + name + "' must be a string, was " + p.getText(), p.currentTokenLocation(), name,
                "quote the value, e.g. \"" + name + "\": \"...\"");
          }
          v.put(name, p.getText());
        } else if (name.equals("gate")) {
          if (!t.isNumeric()) {
            throw bad("field 'gate' must be a number, was " + p.getText(), p.currentTokenLocation(), name,
                "give a pass-rate difference in [-1, 1], such as \"gate\": 0.05 for five points");
          }
          v.put(name, p.getDoubleValue());
        } else if (name.equals("epochs")) {
          if (t != JsonToken.VALUE_NUMBER_INT) {
            throw bad("field 'epochs' must be a whole number, was " + p.getText(), p.currentTokenLocation(), name,
                "give a whole number of epochs from 1 to 50, such as \"epochs\": 2");
          }
          v.put(name, p.getIntValue());
        } else {
          throw bad("unknown field '" + name + "'", at, null, "use only the fields " + FIELDS + " (all optional)");
        }
      }
      if (p.nextToken() != null) {
        throw bad("the request body goes on after its JSON object", p.currentTokenLocation(), null,
            "send one JSON object");
      }
    } catch (JsonProcessingException e) {
      throw bad("the request body is not valid JSON: " + e.getOriginalMessage(), e.getLocation(), null,
          "send a JSON object such as {\"gate\": 0.05, \"epochs\": 2}");
    } catch (IOException e) {
      throw bad("the request body cannot be read", null, null, "send it again");
    }
    return new StartRunRequest((String) v.get("trainingData"), (String) v.get("validationData"),
        (String) v.get("heldout"), (String) v.get("baselinePrompt"), (Double) v.get("gate"),
        (Integer) v.get("epochs"), (String) v.get("model"), (String) v.get("suffix"));
  }

  private static ApiException bad(String what, JsonLocation at, String field, String fix) {
    String where = "request body" + (field == null ? "" : ", field '" + field + "'")
        + (at == null ? "" : ", line " + at.getLineNr() + ", column " + at.getColumnNr());
    return new ApiException(HttpStatus.BAD_REQUEST, what, where, fix);
  }
}
