package dev.tunekit.testing.tck;

import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every SPI value the contract builds, in one place: when the SPI's value types get builders, only
 * this class changes. Public so fixtures build the same values the contract does.
 */
public final class TckValues {
  private TckValues() {}

  /** A small valid chat dataset file in {@code dir}, named with {@code tag} so each test's file is distinct. */
  public static FileUpload chatUpload(TuningProvider provider, String baseModel, Path dir, String tag) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      sb.append("{\"messages\":[{\"role\":\"system\",\"content\":\"You write SQL.\"},{\"role\":\"user\",\"content\":")
          .append("\"question ").append(i).append(" (").append(tag).append(")\"},{\"role\":\"assistant\",\"content\":")
          .append("\"SELECT ").append(i).append("\"}]}\n");
    }
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    String sha = sha256(bytes);
    Path file = dir.resolve("tck-" + tag + ".jsonl");
    try {
      Files.createDirectories(dir);
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FileUpload(file, "tunekit-tck-" + tag + "-" + sha.substring(0, 12) + ".jsonl", sha, bytes.length,
        provider.trainingFormat(baseModel, DatasetKind.CHAT), FileUpload.Role.TRAINING);
  }

  /** A supervised job request on {@code trainingFileId} with a fresh idempotency key. */
  public static JobRequest jobRequest(String baseModel, String trainingFileId) {
    String runId = "tck-" + UUID.randomUUID();
    return new JobRequest(runId, runId + "/submit", baseModel, TrainingMethod.SUPERVISED, trainingFileId,
        Optional.empty(), Hyperparameters.defaults(), Optional.empty(), Map.of());
  }

  /** One deterministic user message to {@code model}. */
  public static ChatRequest chat(String model, String text) {
    return ChatRequest.of(model, List.of(ChatMessage.user(text)));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
