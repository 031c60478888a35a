package dev.tunekit.internal.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.error.TunekitException;

/**
 * JSON the ledger stores (run spec, gate, evaluation reports): bound with Jackson to records, and
 * carrying a format version {@code "v"}. A document from a newer Tunekit ({@code v} above
 * {@link #VERSION}) is refused with a clear error rather than half-read; one without {@code v} was
 * written before versioning (schema 2) and is read as version 0.
 */
public final class StoredJson {
  /** The format version this Tunekit writes and the highest it reads. */
  public static final int VERSION = 1;
  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .setSerializationInclusion(JsonInclude.Include.ALWAYS);

  private StoredJson() {}

  /** {@code value} as JSON, with {@code "v":1} first. */
  public static String write(Object value) {
    ObjectNode n = JSON.createObjectNode();
    n.put("v", VERSION);
    n.setAll((ObjectNode) JSON.valueToTree(value));
    return n.toString();
  }

  /** Parses {@code json} into {@code type}, refusing a newer format. {@code what} names it in errors. */
  public static <T> T read(String json, Class<T> type, String what) {
    JsonNode n = tree(json, what);
    try {
      return JSON.treeToValue(n, type);
    } catch (Exception e) {
      throw unreadable(what, e);
    }
  }

  /** The parsed tree of {@code json}, after checking its version. */
  public static JsonNode tree(String json, String what) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (Exception e) {
      throw unreadable(what, e);
    }
    int v = n.path("v").asInt(0);
    if (v > VERSION) {
      throw new TunekitException("The ledger holds a " + what + " in format v" + v + ", written by a newer Tunekit"
          + " (this one reads up to v" + VERSION + "). Upgrade Tunekit to read this run.");
    }
    return n;
  }

  /** The format version of {@code json} (0 for a document written before versioning). */
  public static int version(String json) {
    return tree(json, "document").path("v").asInt(0);
  }

  private static TunekitException unreadable(String what, Exception e) {
    return new TunekitException("The ledger holds a " + what + " this Tunekit cannot read (" + e.getMessage()
        + "); it was written by another version.", e);
  }
}
