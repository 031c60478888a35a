package dev.tunekit.spi;

import dev.tunekit.error.InvalidInputException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The grader a {@link TrainingMethod#REINFORCEMENT reinforcement fine-tuning} job calls to score each of the
 * model's answers: a reference to code that runs at the provider, never code that runs here. A sealed family so
 * that a provider can say which kinds it takes and new kinds can be added: today an AWS Lambda function
 * ({@link #lambda(String)}) and an exact match of the answer against a reference field of each example
 * ({@link #exactMatch(String)}). Which providers call which kinds is in each provider module's README.
 *
 * <pre>{@code
 * tk.fineTune().model("some-base-model").trainingData(Path.of("prompts.jsonl"))
 *     .method(TrainingMethod.REINFORCEMENT)
 *     .grader(RewardGrader.lambda("arn:aws:lambda:us-east-1:123456789012:function:score-answer"))
 *     .start();
 * }</pre>
 */
public sealed interface RewardGrader permits RewardGrader.Lambda, RewardGrader.ExactMatch {

  /**
   * An AWS Lambda function the provider invokes with the model's answers and the example's reference fields.
   *
   * @param functionArn the function's ARN, {@code arn:aws:lambda:<region>:<12-digit account>:function:<name>}
   *     with an optional {@code :<version or alias>}; checked offline when the value is made
   */
  record Lambda(String functionArn) implements RewardGrader {
    /** A Lambda function ARN in any AWS partition, with an optional version or alias qualifier. */
    static final Pattern ARN = Pattern.compile(
        "arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-\\d{1,2}:\\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?");

    /** Checks the ARN's syntax. */
    public Lambda {
      Objects.requireNonNull(functionArn, "functionArn");
      functionArn = functionArn.trim();
      if (!ARN.matcher(functionArn).matches()) {
        throw new InvalidInputException("'" + functionArn + "' is not an AWS Lambda function ARN; write it as"
            + " arn:aws:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>], such as"
            + " arn:aws:lambda:us-east-1:123456789012:function:score-answer");
      }
    }

    /** The kind, as the providers' APIs name it: {@code lambda}. */
    @Override
    public String kind() {
      return "lambda";
    }

    @Override
    public String reference() {
      return functionArn;
    }
  }

  /**
   * Scores an answer 1 when it equals, character for character, the example's top-level field
   * {@code referenceField} (such as {@code reference_answer}), else 0: a grader the provider runs itself.
   *
   * @param referenceField the name of the example's reference field: a letter or underscore, then letters,
   *     digits or underscores, at most 64 characters
   */
  record ExactMatch(String referenceField) implements RewardGrader {
    /** Checks the field name. */
    public ExactMatch {
      Objects.requireNonNull(referenceField, "referenceField");
      if (!referenceField.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
        throw new InvalidInputException("'" + referenceField + "' is not a field name; name the example's top-level"
            + " reference field with letters, digits and underscores, such as reference_answer");
      }
    }

    /** The kind: {@code exact_match}. */
    @Override
    public String kind() {
      return "exact_match";
    }

    @Override
    public String reference() {
      return referenceField;
    }
  }

  /** The grader kind, such as {@code lambda}: what a provider checks it can call. */
  String kind();

  /** What the grader points at: a Lambda function's ARN, or an exact match's reference field. */
  String reference();

  /**
   * An exact-match grader on the example's field {@code referenceField}.
   *
   * @throws InvalidInputException when {@code referenceField} is not a plain field name
   */
  static RewardGrader exactMatch(String referenceField) {
    return new ExactMatch(referenceField);
  }

  /**
   * A Lambda function grader.
   *
   * @throws InvalidInputException when {@code functionArn} is not a Lambda function ARN (the message says the form)
   */
  static RewardGrader lambda(String functionArn) {
    return new Lambda(functionArn);
  }
}
