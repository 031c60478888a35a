package dev.tunekit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tunekit.model.ChatModel;
import dev.tunekit.error.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The built-in trainer. "Training" builds a BM25 exemplar index over the training conversations in a
 * seeded random order, one mini-batch per step. Epoch 1 scores each batch before adding it (so the
 * loss is honest generalisation loss of the index so far, and falls as the index grows); later epochs
 * score each example leave-one-out against the full index. Validation loss is computed on the
 * validation file every ten steps and at the end of each epoch. A checkpoint is written per epoch.
 */
final class ExemplarTrainer implements Trainer {
  static final String NAME = "exemplar";
  static final int DEFAULT_EPOCHS = 3;
  static final String FORMAT = "tunekit-exemplar-v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Path train(TrainingContext ctx) throws Exception {
    List<Exemplar> data = read(ctx.trainingFile(), "training_file");
    List<Exemplar> validation = ctx.validationFile().isPresent() ? read(ctx.validationFile().get(), "validation_file") : List.of();
    int n = data.size();
    int epochs = ctx.epochs().orElse(DEFAULT_EPOCHS);
    int batch = ctx.batchSize().orElse(Math.max(1, Math.min(32, (int) Math.round(n * 0.02))));
    int stepsPerEpoch = (n + batch - 1) / batch;
    int totalSteps = stepsPerEpoch * epochs;
    List<Exemplar> order = new ArrayList<>(data);
    java.util.Collections.shuffle(order, new Random(ctx.seed()));
    Path examples = ctx.outputDir().resolve("examples.jsonl");
    writeExamples(examples, order);
    ctx.log("info", "Exemplar trainer: " + n + " examples, " + epochs + " epochs, batch size " + batch + ", "
        + totalSteps + " steps" + (validation.isEmpty() ? ", no validation file" : ", " + validation.size() + " validation examples"));

    ExemplarIndex index = new ExemplarIndex();
    long step = 0;
    Map<String, Double> last = Map.of();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      for (int from = 0; from < n; from += batch) {
        ctx.awaitNextStep();
        step++;
        int to = Math.min(n, from + batch);
        double loss = 0;
        double accuracy = 0;
        for (int i = from; i < to; i++) {
          ExemplarIndex.Score s = epoch == 1 ? index.retrievalLoss(order.get(i), -1) : index.retrievalLoss(order.get(i), i);
          loss += s.loss();
          accuracy += s.tokenAccuracy();
        }
        if (epoch == 1) {
          for (int i = from; i < to; i++) {
            index.add(order.get(i));
          }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", loss / (to - from));
        m.put("train_mean_token_accuracy", accuracy / (to - from));
        boolean endOfEpoch = to == n;
        if (!validation.isEmpty() && (step % 10 == 0 || endOfEpoch)) {
          double vl = 0;
          double va = 0;
          for (Exemplar v : validation) {
            ExemplarIndex.Score s = index.retrievalLoss(v, -1);
            vl += s.loss();
            va += s.tokenAccuracy();
          }
          m.put("valid_loss", vl / validation.size());
          m.put("valid_mean_token_accuracy", va / validation.size());
        }
        m.put("total_steps", (double) totalSteps);
        ctx.metrics(step, m);
        last = m;
        if (endOfEpoch) {
          Path checkpoint = ctx.outputDir().resolve("checkpoint-step-" + step + ".json");
          writeModel(checkpoint, index.size());
          Map<String, Double> cm = new LinkedHashMap<>(last);
          cm.remove("total_steps");
          ctx.checkpoint(step, cm, checkpoint);
        }
      }
    }
    Path model = ctx.outputDir().resolve("model.json");
    writeModel(model, n);
    return model;
  }

  @Override
  public Optional<ChatModel> load(Path model) {
    try {
      JsonNode m = JSON.readTree(model.toFile());
      if (!FORMAT.equals(m.path("format").asText())) {
        return Optional.empty();
      }
      Path examples = model.resolveSibling(m.path("examples").asText());
      int indexed = m.path("indexed").asInt();
      List<Exemplar> all = new ArrayList<>();
      try (BufferedReader r = Files.newBufferedReader(examples, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null && all.size() < indexed) {
          JsonNode e = JSON.readTree(line);
          all.add(new Exemplar(e.path("q").asText(), e.path("a").asText()));
        }
      }
      return Optional.of(ExemplarModels.tuned(model.getFileName().toString(), all));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load exemplar model " + model, e);
    }
  }

  private static void writeModel(Path file, int indexed) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("format", FORMAT);
    m.put("examples", "examples.jsonl");
    m.put("indexed", indexed);
    Files.writeString(file, JSON.writeValueAsString(m), StandardCharsets.UTF_8);
  }

  private static void writeExamples(Path file, List<Exemplar> order) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Exemplar e : order) {
      ObjectNode line = JSON.createObjectNode();
      line.put("q", e.question());
      line.put("a", e.answer());
      b.append(JSON.writeValueAsString(line)).append('\n');
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Reads chat-format JSONL: each line an object with {@code messages}; the question is the last
   * user message before the final assistant message, the answer is that assistant message.
   */
  static List<Exemplar> read(Path file, String param) throws IOException {
    List<Exemplar> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        out.add(parseLine(line, no, param));
      }
    }
    return out;
  }

  static Exemplar parseLine(String line, int no, String param) {
    JsonNode node;
    try {
      node = JSON.readTree(line.startsWith("\uFEFF") ? line.substring(1) : line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException("line " + no + " is not valid JSON (" + e.getOriginalMessage() + ")", param);
    }
    JsonNode messages = node.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw new InvalidInputException("line " + no + " has no \"messages\" array; each line must be {\"messages\": [...]}", param);
    }
    JsonNode lastMessage = messages.get(messages.size() - 1);
    if (!"assistant".equals(lastMessage.path("role").asText()) || !lastMessage.path("content").isTextual()) {
      throw new InvalidInputException("line " + no + " must end with an assistant message with text content", param);
    }
    String question = null;
    for (int i = messages.size() - 2; i >= 0; i--) {
      JsonNode m = messages.get(i);
      if ("user".equals(m.path("role").asText()) && m.path("content").isTextual()) {
        question = m.path("content").asText();
        break;
      }
    }
    if (question == null) {
      throw new InvalidInputException("line " + no + " has no user message before its final assistant message", param);
    }
    return new Exemplar(question, lastMessage.path("content").asText());
  }
}
