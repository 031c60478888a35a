package dev.tunekit.bedrock;

import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Translates AWS SDK failures into Tunekit exceptions that say whether to retry and whether the call
 * may have taken effect. This is the only place that looks at AWS error codes. Messages carry the
 * operation, the AWS message and request id, and advice; never a credential (the SDK never puts one
 * in its messages, and nothing here reads the credential chain).
 */
final class AwsErrors {
  static final String PROVIDER = "bedrock";

  private AwsErrors() {}

  /** An AWS operation and the IAM permission it needs, for messages. */
  record Op(String name, String permission) {
    static Op bedrock(String name) {
      return new Op(name, "bedrock:" + name);
    }

    static Op s3(String name, String permission) {
      return new Op(name, permission);
    }
  }

  static RuntimeException translate(Throwable t, Op op, BedrockConfig config) {
    Throwable e = unwrap(t);
    if (e instanceof TunekitException te) {
      return te;
    }
    if (e instanceof AwsServiceException ase) {
      return service(ase, op, config);
    }
    Optional<Throwable> parse = unreadableResponse(e);
    if (parse.isPresent()) {
      // A response arrived, but it was not what the AWS protocol says: repeating the call reads the same
      // thing (a wrong endpoint, a proxy's page, an incompatible emulator). A create may have taken effect.
      return ProviderException.builder(PROVIDER, op.name() + " got a response that could not be read ("
              + parse.get().getClass().getSimpleName() + "); check that providers.bedrock.endpoint, runtimeEndpoint"
              + " and s3Endpoint point at AWS or an AWS-compatible server. Not retried.")
          .cause(e)
          .retryable(false)
          .outcomeUnknown(true)
          .build();
    }
    if (e instanceof SdkClientException || e instanceof IOException || e instanceof SdkException) {
      boolean notSent = neverSent(e);
      return ProviderException.builder(PROVIDER, op.name() + " failed before a response arrived ("
              + describe(e) + "). "
              + (notSent ? "The request was not sent; check the endpoint and network."
                  : "The request may have reached AWS; Tunekit checks before repeating anything that costs money."))
          .cause(e)
          .retryable(true)
          .outcomeUnknown(!notSent)
          .build();
    }
    return ProviderException.builder(PROVIDER, op.name() + " failed unexpectedly: " + describe(e)).cause(e).build();
  }

  /**
   * The parser failure in {@code e}'s causes when the SDK could not read a response it received (JSON or
   * XML that is not the service's shape). Matched by type: the SDK shades Jackson, so its exceptions are
   * found by their simple names.
   */
  static Optional<Throwable> unreadableResponse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.xml.stream.XMLStreamException) {
        return Optional.of(t);
      }
      for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
        if (c.getSimpleName().equals("JsonProcessingException")) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  private static RuntimeException service(AwsServiceException e, Op op, BedrockConfig config) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String awsMessage = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
        ? "" : e.awsErrorDetails().errorMessage().strip();
    if (awsMessage.endsWith(".")) {
      awsMessage = awsMessage.substring(0, awsMessage.length() - 1); // the advice below starts a new sentence
    }
    int status = e.statusCode();
    String rid = e.requestId();
    String where = op.name() + " failed" + (code == null ? "" : " with " + code) + " (HTTP " + status
        + (rid == null ? "" : ", request id " + rid) + ")" + (awsMessage.isBlank() ? "" : ": " + awsMessage);
    String c = code == null ? "" : code;
    if (e.isThrottlingException() || status == 429 || c.equals("SlowDown") || c.equals("ThrottlingException")) {
      return ProviderException.builder(PROVIDER, where + ". AWS is throttling; Tunekit waits and retries.")
          .cause(e).statusCode(status).requestId(rid).retryAfter(retryAfter(e).orElse(null)).buildRateLimited();
    }
    if (c.equals("AccessDeniedException") || c.equals("AccessDenied") || c.equals("UnrecognizedClientException")
        || c.equals("InvalidSignatureException") || c.equals("SignatureDoesNotMatch") || c.equals("InvalidAccessKeyId")
        || c.equals("ExpiredTokenException") || status == 401 || status == 403) {
      return ProviderException.builder(PROVIDER, where + ". " + accessAdvice(op, config))
          .cause(e).statusCode(status).requestId(rid).buildAuthentication();
    }
    if (c.equals("ResourceNotFoundException") || c.equals("NoSuchKey") || c.equals("NoSuchBucket") || c.equals("NotFound")
        || status == 404) {
      String advice = c.equals("NoSuchBucket")
          ? " Create the bucket or fix providers.bedrock.bucket in " + config.settings().source() + "."
          : " Check the id.";
      return ProviderException.builder(PROVIDER, where + "." + advice)
          .cause(e).statusCode(status).requestId(rid).buildNotFound();
    }
    if (c.equals("ServiceQuotaExceededException")) {
      return ProviderException.builder(PROVIDER, where + ". A Bedrock quota is exhausted (often concurrent"
              + " customization jobs or provisioned model units): wait for running jobs to finish, or request an"
              + " increase in the Service Quotas console. Not retried.")
          .cause(e).statusCode(status).requestId(rid).retryable(false).build();
    }
    if (c.equals("ValidationException")) {
      return ProviderException.builder(PROVIDER, where + ". Bedrock rejected the request; "
              + validationAdvice(op, awsMessage, config) + " Not retried.")
          .cause(e).statusCode(status).requestId(rid).retryable(false).build();
    }
    if (c.equals("ConflictException") || c.equals("TooManyTagsException")) {
      return ProviderException.builder(PROVIDER, where + ". Not retried.")
          .cause(e).statusCode(status).requestId(rid).retryable(false).build();
    }
    if (status >= 500 || c.equals("InternalServerException") || c.equals("ServiceUnavailableException")) {
      return ProviderException.builder(PROVIDER, where + ". AWS had a server error; the request may have taken effect.")
          .cause(e).statusCode(status).requestId(rid).retryable(true).outcomeUnknown(true).build();
    }
    if (status == 408) {
      return ProviderException.builder(PROVIDER, where + ". The request timed out and may have taken effect.")
          .cause(e).statusCode(status).requestId(rid).retryable(true).outcomeUnknown(true).build();
    }
    return ProviderException.builder(PROVIDER, where + ".")
        .cause(e).statusCode(status).requestId(rid).retryable(false).build();
  }

  /** Which setting or input a ValidationException is about, so the message says what to change. */
  static String validationAdvice(Op op, String awsMessage, BedrockConfig config) {
    String m = awsMessage.toLowerCase(java.util.Locale.ROOT);
    String in = " (in " + config.settings().source() + ")";
    if (m.contains("role") || m.contains("assume") || m.contains("trust")) {
      return "check providers.bedrock.roleArn" + in + ": the role must exist in this account, trust"
          + " bedrock.amazonaws.com, and be allowed to read the training data and write the output folder.";
    }
    if (m.contains("s3") || m.contains("bucket") || m.contains("kms")) {
      return "check providers.bedrock.bucket and providers.bedrock.prefix" + in + " (the bucket must be in the job's"
          + " region) and that the role in providers.bedrock.roleArn may read the data and write output/"
          + (config.kmsKeyId().isPresent() ? ", and use the key in providers.bedrock.kmsKeyId." : ".");
    }
    if (m.contains("hyperparameter") || m.contains("epoch") || m.contains("learning") || m.contains("batch")) {
      return "fix the hyperparameters (the tunekit-bedrock README lists each model family's ranges).";
    }
    if (op.name().equals("CreateModelCustomizationJob") && (m.contains("model") || m.contains("identifier"))) {
      return "check the base model id given to .model(...) (a customizable model such as amazon.nova-micro-v1:0:128k,"
          + " offered in providers.bedrock.region" + in + ").";
    }
    return "fix the input named in the message (the base model, providers.bedrock.roleArn, bucket or prefix"
        + in + ", hyperparameters or names).";
  }

  private static String accessAdvice(Op op, BedrockConfig config) {
    String role = config.roleArn().map(r -> "the role in providers.bedrock.roleArn").orElse("providers.bedrock.roleArn (not set)");
    String bucket = config.bucket().orElse("<bucket>");
    String common = "Check that the AWS credentials (default chain: environment, profile, SSO, instance role) are"
        + " valid and allow " + op.permission() + ".";
    if (op.name().equals("CreateModelCustomizationJob")) {
      return common + " Creating a job also needs iam:PassRole on " + role + ", and that role must trust"
          + " bedrock.amazonaws.com and be allowed s3:GetObject and s3:ListBucket on s3://" + bucket + "/"
          + config.prefix() + "/ and s3:PutObject on its output/ folder (plus kms:Decrypt and kms:GenerateDataKey"
          + " when providers.bedrock.kmsKeyId is set). Not retried.";
    }
    if (op.permission().startsWith("s3:")) {
      return common + " The bucket is providers.bedrock.bucket = " + bucket + ". Not retried.";
    }
    return common + " Not retried.";
  }

  static Optional<Duration> retryAfter(AwsServiceException e) {
    SdkHttpResponse r = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse();
    if (r == null) {
      return Optional.empty();
    }
    Optional<String> ms = r.firstMatchingHeader("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Optional.of(Duration.ofMillis(Long.parseLong(ms.get().trim())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    return r.firstMatchingHeader("Retry-After").flatMap(AwsErrors::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String v) {
    String s = v.trim();
    try {
      return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException ignored) {
        return Optional.empty();
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    // The async S3 client wraps service errors in SdkClientException at times; prefer the service error.
    if (e instanceof SdkClientException && e.getCause() instanceof AwsServiceException ase) {
      return ase;
    }
    return e;
  }

  /** Whether the request certainly never left this machine (no DNS, connection refused). */
  static boolean neverSent(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UnknownHostException || c instanceof ConnectException || c instanceof NoRouteToHostException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
