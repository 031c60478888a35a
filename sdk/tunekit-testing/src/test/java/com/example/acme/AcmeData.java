package com.example.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.dataset.ConversionRefusedException;
import dev.tunekit.dataset.DatasetConverter;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import java.util.Optional;

/**
 * Acme trains on its own format, {@code acme-pc}: one {@code {"prompt","completion"}} object per
 * single-turn chat example. Contributed through {@link AcmeProviderFactory} as a
 * {@link dev.tunekit.dataset.DatasetContributor}; core knows nothing of it.
 */
final class AcmeData {
  static final DatasetFormat FORMAT = new DatasetFormat("acme-pc", "Acme prompt/completion JSONL");

  private AcmeData() {}

  static final DatasetConverter CONVERTER = new DatasetConverter() {
    @Override
    public DatasetFormat format() {
      return FORMAT;
    }

    @Override
    public Optional<String> refusal(DatasetKind kind) {
      return kind == DatasetKind.CHAT ? Optional.empty()
          : Optional.of("Acme trains on single-turn chat examples only, not " + kind);
    }

    @Override
    public JsonNode convert(JsonNode example) {
      StringBuilder prompt = new StringBuilder();
      String completion = null;
      for (JsonNode m : example.get("messages")) {
        String role = m.get("role").asText();
        if (role.equals("assistant")) {
          if (completion != null) {
            throw new ConversionRefusedException("Acme takes one assistant turn per example; this one has more");
          }
          completion = m.get("content").asText();
        } else {
          prompt.append(role).append(": ").append(m.get("content").asText()).append('\n');
        }
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("prompt", prompt.toString());
      out.put("completion", completion);
      return out;
    }
  };
}
