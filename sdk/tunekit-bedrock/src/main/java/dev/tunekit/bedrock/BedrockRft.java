package dev.tunekit.bedrock;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.RewardGrader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.bedrock.model.RFTConfig;
import software.amazon.awssdk.services.bedrock.model.RFTHyperParameters;
import software.amazon.awssdk.services.bedrock.model.ReasoningEffort;

/**
 * Reinforcement fine-tuning on Bedrock's own API ({@code customizationType REINFORCEMENT_FINE_TUNING}): the
 * {@code customizationConfig.rftConfig} with its Lambda grader ({@code graderConfig.lambdaGrader.lambdaArn})
 * and its own hyperparameters ({@code RFTHyperParameters}: epochCount, batchSize, learningRate,
 * maxPromptLength, trainingSamplePerPrompt, inferenceMaxTokens, reasoningEffort, evalInterval — AWS SDK for
 * Java v2 {@code bedrock} 2.57), which go there instead of the {@code hyperParameters} string map. Which models
 * take it is the catalog's {@code "reinforcement": true} ({@code models.json}).
 */
final class BedrockRft {
  /** The extras RFT takes besides the neutral epochs and batch size. */
  static final Set<String> INTEGER_EXTRAS = Set.of("maxPromptLength", "trainingSamplePerPrompt", "inferenceMaxTokens",
      "evalInterval");
  static final Set<String> EXTRAS = Set.of("learningRate", "reasoningEffort", "maxPromptLength",
      "trainingSamplePerPrompt", "inferenceMaxTokens", "evalInterval");

  private BedrockRft() {}

  /** The catalog ids whose entry says {@code "reinforcement": true}. */
  static List<String> models() {
    return BedrockFormats.CATALOG_RFT.stream().sorted().collect(Collectors.toList());
  }

  /** The RFT config of a job; every value is checked first ({@link InvalidInputException} saying which and why). */
  static RFTConfig config(RewardGrader grader, Hyperparameters hp) {
    if (!(grader instanceof RewardGrader.Lambda lambda)) {
      throw new InvalidInputException("Bedrock reinforcement fine-tuning calls a Lambda grader, not "
          + (grader == null ? "none" : grader.kind()) + "; give one with RewardGrader.lambda(\"arn:aws:lambda:…\")");
    }
    return RFTConfig.builder()
        .graderConfig(g -> g.lambdaGrader(l -> l.lambdaArn(lambda.functionArn())))
        .hyperParameters(hyperparameters(hp))
        .build();
  }

  /** The RFT hyperparameters: neutral epochs and batch size, and the extras RFT has; anything else is refused. */
  static RFTHyperParameters hyperparameters(Hyperparameters hp) {
    RFTHyperParameters.Builder b = RFTHyperParameters.builder();
    hp.epochs().ifPresent(b::epochCount);
    hp.batchSize().ifPresent(b::batchSize);
    if (hp.learningRateMultiplier().isPresent()) {
      throw new InvalidInputException("Bedrock reinforcement fine-tuning takes an absolute learning rate, not a"
          + " multiplier: set the hyperparameter extra learningRate instead of learningRateMultiplier");
    }
    for (Map.Entry<String, Object> e : hp.extras().entrySet()) {
      String k = e.getKey();
      String v = String.valueOf(e.getValue()).trim();
      if (!EXTRAS.contains(k)) {
        throw new InvalidInputException("Bedrock reinforcement fine-tuning has no hyperparameter " + k + "; besides"
            + " epochs and batchSize it takes " + String.join(", ", new TreeSet<>(EXTRAS)));
      }
      if (k.equals("reasoningEffort")) {
        ReasoningEffort r = ReasoningEffort.fromValue(v);
        if (r == null || r == ReasoningEffort.UNKNOWN_TO_SDK_VERSION) {
          throw new InvalidInputException("reasoningEffort is '" + v + "'; use one of "
              + ReasoningEffort.knownValues().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        }
        b.reasoningEffort(r);
      } else if (k.equals("learningRate")) {
        float f = number(k, v, "a number above 0, such as 0.00001").floatValue();
        if (!(f > 0)) {
          throw new InvalidInputException("learningRate is '" + v + "'; use a number above 0, such as 0.00001");
        }
        b.learningRate(f);
      } else {
        double d = number(k, v, "a whole number of at least 1").doubleValue();
        if (d < 1 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
          throw new InvalidInputException(k + " is '" + v + "'; use a whole number of at least 1");
        }
        int n = (int) d;
        switch (k) {
          case "maxPromptLength" -> b.maxPromptLength(n);
          case "trainingSamplePerPrompt" -> b.trainingSamplePerPrompt(n);
          case "inferenceMaxTokens" -> b.inferenceMaxTokens(n);
          default -> b.evalInterval(n);
        }
      }
    }
    return b.build();
  }

  private static Double number(String key, String v, String expected) {
    try {
      return Double.valueOf(v);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key + " is '" + v + "'; use " + expected);
    }
  }
}
