package dev.tunekit.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Converts examples of Tunekit's neutral input (chat or preference JSONL, already validated) to one
 * provider format, one example at a time. Contributed by a provider module through
 * {@link DatasetContributor#converter(DatasetFormat)}; Tunekit streams the file, splits it, hashes it
 * and writes it atomically around the converter.
 *
 * <p>A converter never loses information silently: it refuses what its format cannot hold by throwing
 * {@link ConversionRefusedException} with the reason, and Tunekit adds the file, the line and how to fix it.
 */
public interface DatasetConverter {

  /** The format this converter writes. */
  DatasetFormat format();

  /**
   * Why a whole dataset of {@code kind} cannot be converted to this format (for example, preference
   * pairs to a format without them), or empty when it can.
   */
  Optional<String> refusal(DatasetKind kind);

  /**
   * Converts one example.
   *
   * @param example the example's JSON object, as read from the neutral input
   * @return the JSON value to write as the example's line
   * @throws ConversionRefusedException when the conversion would lose information
   */
  JsonNode convert(JsonNode example);
}
