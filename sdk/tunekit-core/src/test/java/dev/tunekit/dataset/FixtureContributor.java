package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A contributor that lives only in core's test code (registered in the test resources'
 * {@code META-INF/services}), proving the core finds catalogs and converters it does not name.
 * {@code test-hosted} and {@code test-hosted-resold} share one catalog (a resold catalog's prices carry
 * a "may bill differently" note); {@code test-estimated} has estimated token counts and per-model
 * minimums; {@code test-upper} is a format whose converter upper-cases the assistant's reply and
 * refuses a reply of "REFUSE".
 */
public final class FixtureContributor implements DatasetContributor {
  static final ModelCatalog HOSTED = ModelCatalog.fromResource(FixtureContributor.class, "fixture-hosted.json");
  static final ModelCatalog ESTIMATED = ModelCatalog.fromResource(FixtureContributor.class, "fixture-estimated.json");
  static final DatasetFormat UPPER = new DatasetFormat("test-upper", "the last assistant reply, upper-cased");

  /** ServiceLoader's constructor. */
  public FixtureContributor() {}

  @Override
  public Set<String> names() {
    return Set.of("test-hosted", "test-hosted-resold", "test-estimated", "test-no-catalog");
  }

  @Override
  public Optional<ModelCatalog> catalog(String type) {
    switch (type) {
      case "test-hosted":
      case "test-hosted-resold":
        return Optional.of(HOSTED);
      case "test-estimated":
        return Optional.of(ESTIMATED);
      default:
        return Optional.empty();
    }
  }

  @Override
  public List<DatasetFormat> formats() {
    return List.of(UPPER);
  }

  @Override
  public Optional<DatasetConverter> converter(DatasetFormat format) {
    if (!format.equals(UPPER)) {
      return Optional.empty();
    }
    return Optional.of(new DatasetConverter() {
      @Override
      public DatasetFormat format() {
        return UPPER;
      }

      @Override
      public Optional<String> refusal(DatasetKind kind) {
        return kind == DatasetKind.CHAT ? Optional.empty() : Optional.of("test-upper holds chat replies only");
      }

      @Override
      public JsonNode convert(JsonNode example) {
        JsonNode messages = example.path("messages");
        String reply = messages.get(messages.size() - 1).path("content").asText();
        if (reply.equals("REFUSE")) {
          throw new ConversionRefusedException("the reply says REFUSE");
        }
        return JsonNodeFactory.instance.objectNode().put("reply", reply.toUpperCase(java.util.Locale.ROOT));
      }
    });
  }
}
