import com.fasterxml.jackson.databind.*;
import com.fasterxml.jackson.databind.node.*;
import com.fasterxml.jackson.dataformat.yaml.*;
import java.io.File;
import java.util.*;
/** Regenerates src/test/resources/dev/tunekit/local/openai-schemas.json from the official spec (see OpenApiShapeTest): java -cp JACKSON_YAML_AND_DATABIND_JARS ExtractOpenAiSchemas.java openai-openapi.yaml openai-schemas.json SCHEMA... */
public class ExtractOpenAiSchemas {
  public static void main(String[] a) throws Exception {
    YAMLFactory f = YAMLFactory.builder().loaderOptions(new org.yaml.snakeyaml.LoaderOptions() {{ setCodePointLimit(50_000_000); }}).build();
    JsonNode spec = new ObjectMapper(f).readTree(new File(a[0]));
    JsonNode schemas = spec.path("components").path("schemas");
    Deque<String> todo = new ArrayDeque<>(List.of(a).subList(2, a.length));
    ObjectNode defs = JsonNodeFactory.instance.objectNode();
    while (!todo.isEmpty()) {
      String n = todo.pop();
      if (defs.has(n)) continue;
      JsonNode s = schemas.get(n);
      if (s == null) throw new IllegalStateException("no schema " + n);
      s = s.deepCopy();
      rewrite(s, todo);
      defs.set(n, s);
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("$comment", "Component schemas copied from the official OpenAI OpenAPI spec (openai-openapi.yaml, "
        + spec.path("info").path("version").asText() + "), $refs rewritten to #/$defs, "
        + "OpenAPI 3.0 leftovers made JSON Schema 2020-12 (nullable: true -> null allowed; boolean exclusiveMinimum/Maximum "
        + "-> numeric). Regenerate rather than edit.");
    out.set("$defs", defs);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(new File(a[1]), out);
  }
  static void rewrite(JsonNode n, Deque<String> todo) {
    if (n instanceof ObjectNode o) {
      for (String k : List.of("Minimum", "Maximum")) {
        JsonNode ex = o.get("exclusive" + k);
        if (ex != null && ex.isBoolean()) {
          JsonNode bound = o.remove(k.toLowerCase());
          o.remove("exclusive" + k);
          if (bound != null) {
            o.set(ex.asBoolean() ? "exclusive" + k : k.toLowerCase(), bound);
          }
        }
      }
      JsonNode nullable = o.remove("nullable");
      if (nullable != null && nullable.asBoolean()) {
        if (o.path("type").isTextual()) {
          o.set("type", JsonNodeFactory.instance.arrayNode().add(o.path("type").asText()).add("null"));
          if (o.has("enum")) ((ArrayNode) o.get("enum")).addNull();
        } else if (!o.path("type").isArray()) {
          ObjectNode copy = o.deepCopy();
          o.removeAll();
          o.putArray("anyOf").add(copy).addObject().put("type", "null");
          rewrite(copy, todo);
          return;
        }
      }
      JsonNode ref = o.get("$ref");
      if (ref != null && ref.asText().startsWith("#/components/schemas/")) {
        String name = ref.asText().substring(21);
        o.put("$ref", "#/$defs/" + name);
        todo.add(name);
      }
      o.properties().forEach(e -> rewrite(e.getValue(), todo));
    } else if (n instanceof ArrayNode arr) {
      arr.forEach(x -> rewrite(x, todo));
    }
  }
}
