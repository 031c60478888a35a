package dev.tunekit.bedrock;

import dev.tunekit.model.ChatMessage;
import dev.tunekit.model.ChatRequest;
import dev.tunekit.model.ChatResponse;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.JobStatus;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.error.NotFoundException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.dataset.DatasetFormat;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.Deployment;
import dev.tunekit.spi.FileUpload;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.RemoteFile;
import dev.tunekit.spi.RemoteJob;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.Chat;
import dev.tunekit.spi.Cursor;
import dev.tunekit.spi.Cursors;
import dev.tunekit.spi.Deployments;
import dev.tunekit.spi.Page;
import dev.tunekit.spi.TuningProvider;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.ProfileFileSystemSetting;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.ConflictException;
import software.amazon.awssdk.services.bedrock.model.CreateModelCustomizationJobRequest;
import software.amazon.awssdk.services.bedrock.model.CustomModelDeploymentStatus;
import software.amazon.awssdk.services.bedrock.model.CustomizationType;
import software.amazon.awssdk.services.bedrock.model.RFTConfig;
import software.amazon.awssdk.services.bedrock.model.GetCustomModelDeploymentResponse;
import software.amazon.awssdk.services.bedrock.model.GetCustomModelResponse;
import software.amazon.awssdk.services.bedrock.model.GetModelCustomizationJobResponse;
import software.amazon.awssdk.services.bedrock.model.GetProvisionedModelThroughputResponse;
import software.amazon.awssdk.services.bedrock.model.ListModelCustomizationJobsResponse;
import software.amazon.awssdk.services.bedrock.model.ModelCustomizationJobStatus;
import software.amazon.awssdk.services.bedrock.model.ModelCustomizationJobSummary;
import software.amazon.awssdk.services.bedrock.model.ProvisionedModelStatus;
import software.amazon.awssdk.services.bedrock.model.Tag;
import software.amazon.awssdk.services.bedrock.model.ValidationException;
import software.amazon.awssdk.services.bedrock.model.Validator;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Amazon Bedrock model customization, on the AWS SDK for Java v2: data in S3 ({@link S3Datasets}), jobs through the Bedrock control plane, inference through the Bedrock runtime's
 * {@code Converse}. Credentials and region come from the AWS default chains (region can be set).
 *
 * <p>One retry layer: every AWS client here is built with {@link AwsRetryStrategy#doNotRetry()}; the
 * core's Resilience4j decorator retries, using what {@link AwsErrors} says about each failure.
 */
final class BedrockProvider implements TuningProvider, Chat, Deployments {
  private static final Logger LOG = LoggerFactory.getLogger(BedrockProvider.class);

  private final BedrockConfig config;
  private final BedrockClient bedrock;
  private final BedrockRuntimeClient runtime;
  private final Supplier<S3AsyncClient> s3Factory;
  private final DefaultCredentialsProvider ownedCredentials;
  private final AwsCredentialsProvider credentials;
  private volatile boolean credentialsResolved;
  /** S3 clients are built on first use: a chat-only provider never starts their Netty event loop. */
  private S3AsyncClient s3;
  /**
   * The S3 client's Netty event loop, owned here rather than by the client: the client would shut it down
   * with a 2-second quiet period, so every close of a provider that had used S3 took 2 s. At close no
   * request is in flight (the client and its connection pools are closed first), so it stops at once.
   */
  private SdkEventLoopGroup s3EventLoop;
  private S3Datasets datasets;

  BedrockProvider(BedrockConfig config, AwsCredentialsProvider credentials) {
    this.config = config;
    // The default chain built here is ours to close; the AWS clients never close a provider they were given.
    this.ownedCredentials = credentials != null ? null : DefaultCredentialsProvider.builder().build();
    AwsCredentialsProvider creds = credentials != null ? credentials : ownedCredentials;
    this.credentials = creds;
    // The core's Resilience4j decorator is the one retry layer: the AWS SDK must not retry by itself
    // (its default standard strategy makes 3 attempts), so every client gets max attempts 1.
    ClientOverrideConfiguration.Builder ob = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry());
    config.callTimeout().ifPresent(ob::apiCallTimeout);
    ClientOverrideConfiguration overrides = ob.build();
    this.bedrock = build(() -> configure(BedrockClient.builder(), creds, overrides, config.endpoint()).build());
    this.runtime = build(() -> configure(BedrockRuntimeClient.builder(), creds, overrides, config.runtimeEndpoint()).build());
    this.s3Factory = () -> build(() -> {
      S3AsyncClientBuilder b = configure(S3AsyncClient.builder(), creds, overrides, config.s3Endpoint())
          .forcePathStyle(config.s3PathStyle())
          // aws-chunked bodies with a trailing checksum are what real S3 gets; some S3-compatible
          // servers cannot parse them, and then the checksum goes in a header instead.
          // The SDK sends 'Expect: 100-continue' on PutObject/UploadPart bodies (over 1 MiB); some S3-compatible
          // servers mishandle it, and s3ExpectContinue: false turns it off.
          .serviceConfiguration(c -> c.chunkedEncodingEnabled(config.s3ChunkedEncoding())
              .expectContinueEnabled(config.s3ExpectContinue()));
      // No SDK multipart client and no transfer manager: S3Datasets makes the multipart upload itself, so that
      // every failure after CreateMultipartUpload is followed by AbortMultipartUpload (the SDK's multipart
      // client aborts after a failed part, without waiting, but not after a failed completion).
      if (s3EventLoop == null) { // one per provider, also when a failed client build is tried again
        s3EventLoop = SdkEventLoopGroup.builder().build();
      }
      return b.httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(s3EventLoop)).build();
    });
  }

  private synchronized S3Datasets datasets() {
    if (datasets == null) {
      s3 = s3Factory.get();
      datasets = new S3Datasets(s3, config);
    }
    return datasets;
  }

  private <B extends AwsClientBuilder<B, C>, C> B configure(B builder, AwsCredentialsProvider creds,
      ClientOverrideConfiguration overrides, Optional<URI> endpoint) {
    builder.credentialsProvider(creds).overrideConfiguration(overrides);
    config.region().ifPresent(r -> builder.region(Region.of(r)));
    endpoint.ifPresent(builder::endpointOverride);
    return builder;
  }

  private <T> T build(Supplier<T> client) {
    try {
      return client.get();
    } catch (SdkClientException e) {
      if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("region")) {
        throw config.settings().invalid("region", "is not set and the AWS default chain found none; set it"
            + " (such as us-east-1) or set AWS_REGION");
      }
      throw new InvalidInputException("cannot configure the AWS clients: " + e.getMessage(), config.settings().source(), e);
    }
  }

  @Override
  public String name() {
    return config.settings().name();
  }

  /** {@link BedrockPreflight}: the model and its aliases, hyperparameter ranges, method, roleArn, bucket, region. */
  @Override
  public java.util.List<dev.tunekit.spi.PreflightProblem> preflight(dev.tunekit.spi.JobPlan plan) {
    java.util.List<dev.tunekit.spi.PreflightProblem> problems = BedrockPreflight.check(config, plan);
    if (problems.isEmpty()) {
      // Credentials resolve at all, through the very provider the clients use; nothing is sent to AWS. With
      // the default chain and nothing else configured, its last link asks the EC2 instance metadata service
      // (a link-local call that finds the instance role on EC2 and fails after a short timeout elsewhere).
      requireCredentials();
    }
    return problems;
  }

  @Override
  public DatasetFormat trainingFormat(String baseModel, DatasetKind kind) {
    if (kind == DatasetKind.PREFERENCE) {
      throw new InvalidInputException("Bedrock model customization does not train on preference pairs (DPO);"
          + " use a chat dataset, or a provider that supports DPO (openai, local)");
    }
    if (kind == DatasetKind.PROMPTS) {
      return DatasetFormat.PROMPT_JSONL; // reinforcement prompts: "we only support the OpenAI chat completion format"
    }
    // The catalog (models.json) says each listed model's format; the family only decides for unlisted ones.
    return BedrockFormats.catalogFormat(baseModel).orElse(ModelFamily.of(baseModel).format);
  }

  // ---------------------------------------------------------------- files

  @Override
  public Optional<RemoteFile> findFile(FileUpload upload) {
    config.requireBucket(); // settings first: their errors say what to fix in tunekit.yaml
    requireCredentials();
    return datasets().find(upload);
  }

  @Override
  public RemoteFile upload(FileUpload upload) {
    config.requireBucket();
    requireCredentials();
    return datasets().upload(upload);
  }

  /**
   * Resolves the AWS credentials once, through the SDK's own provider chain, before the first request.
   * None found is an {@link dev.tunekit.error.AuthenticationException} with a one-line message, raised
   * before anything is sent: not a network failure of unknown outcome (which would be retried and then
   * reconciled with calls that fail the same way).
   */
  void requireCredentials() {
    if (credentialsResolved) {
      return;
    }
    try {
      credentials.resolveCredentials();
      credentialsResolved = true;
    } catch (SdkException | IllegalStateException e) {
      throw ProviderException.builder(AwsErrors.PROVIDER, "No AWS credentials found for provider " + name()
              + " (nothing was sent); tried " + credentialSources() + ". Set AWS_PROFILE or AWS_ACCESS_KEY_ID"
              + "/AWS_SECRET_ACCESS_KEY, or run aws sso login.")
          .cause(e).buildAuthentication();
    }
  }

  /** The sources the credentials provider looked in, in its order (short: the whole message is one line). */
  private String credentialSources() {
    if (ownedCredentials == null) {
      return "the credentials provider given to this provider";
    }
    String profile = ProfileFileSystemSetting.AWS_PROFILE.getStringValue().orElse("default");
    boolean imdsOff = SdkSystemSetting.AWS_EC2_METADATA_DISABLED.getBooleanValue().orElse(false);
    return "system properties, env, web identity, profile '" + profile + "', container, EC2 metadata"
        + (imdsOff ? " (disabled)" : "");
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public RemoteJob createJob(JobRequest req) {
    CreateModelCustomizationJobRequest create = toCreateRequest(req);
    requireCredentials();
    String arn;
    try {
      arn = bedrock.createModelCustomizationJob(create).jobArn();
    } catch (ConflictException | ValidationException e) {
      // A taken job name (or a reused token) means an earlier attempt for this run created the job:
      // return that job, never a second one. Otherwise it is a real input error.
      RuntimeException original = AwsErrors.translate(e, AwsErrors.Op.bedrock("CreateModelCustomizationJob"), config);
      Optional<RemoteJob> existing;
      try {
        existing = findJob(req.idempotencyKey());
      } catch (RuntimeException lookup) {
        original.addSuppressed(lookup);
        throw original;
      }
      return existing.orElseThrow(() -> original);
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("CreateModelCustomizationJob"), config);
    }
    Map<String, String> md = new LinkedHashMap<>(req.metadata());
    md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, req.idempotencyKey());
    md.put("jobName", create.jobName());
    md.put("clientRequestToken", create.clientRequestToken());
    md.put("outputS3Uri", create.outputDataConfig().s3Uri());
    // No follow-up read: if it failed, the core would think the create failed. The first poll reads it.
    return RemoteJob.builder().id(arn).status(new JobStatus.Validating("InProgress")).baseModel(req.baseModel())
        .createdAt(Optional.of(Instant.now())).finishedAt(Optional.empty()).trainedTokens(Optional.empty())
        .metadata(md).build();
  }

  /** Builds and checks the create request; throws {@link InvalidInputException} before any remote call. */
  CreateModelCustomizationJobRequest toCreateRequest(JobRequest req) {
    ModelFamily family = ModelFamily.of(req.baseModel());
    CustomizationType type = customizationType(req, family);
    boolean rft = type == CustomizationType.REINFORCEMENT_FINE_TUNING;
    // RFT's hyperparameters go in its rftConfig, checked there; the others in the string map.
    RFTConfig rftConfig = rft ? BedrockRft.config(req.grader().orElse(null), req.hyperparameters()) : null;
    Map<String, String> hp = rft ? Map.of() : HyperparameterMapper.map(req.baseModel(), req.hyperparameters());
    if (req.hyperparameters().seed().isPresent()) {
      LOG.warn("Bedrock model customization has no seed; hyperparameter seed={} is not sent", req.hyperparameters().seed().getAsLong());
    }
    requireS3("training file", req.trainingFileId());
    req.validationFileId().ifPresent(v -> requireS3("validation file", v));
    String roleArn = config.requireRoleArn();
    config.requireBucket();
    String readable = req.suffix().orElse(req.runId());
    String jobName = Names.jobName(req.idempotencyKey(), readable);
    String modelName = Names.customModelName(req.idempotencyKey(), readable);
    List<Tag> jobTags = new ArrayList<>(tags());
    jobTags.add(Tag.builder().key("tunekit-run-id").value(tagValue(req.runId())).build());
    jobTags.add(Tag.builder().key("tunekit-key-hash").value(Names.keyHash(req.idempotencyKey())).build());
    CreateModelCustomizationJobRequest.Builder b = CreateModelCustomizationJobRequest.builder()
        .jobName(jobName)
        .customModelName(modelName)
        .roleArn(roleArn)
        .clientRequestToken(Names.clientToken(req.idempotencyKey()))
        // An alias (nova-micro, amazon.nova-micro-v1:0) goes as the catalog's fine-tuning id (…:128k).
        .baseModelIdentifier(BedrockPreflight.baseModelIdentifier(req.baseModel()))
        .customizationType(type)
        .trainingDataConfig(t -> t.s3Uri(req.trainingFileId()))
        .outputDataConfig(o -> o.s3Uri(outputUri(jobName)))
        .jobTags(jobTags)
        .customModelTags(tags());
    if (!hp.isEmpty()) {
      b.hyperParameters(hp);
    }
    req.validationFileId().ifPresent(v -> b.validationDataConfig(c -> c.validators(Validator.builder().s3Uri(v)
        .build())));
    config.kmsKeyId().ifPresent(b::customModelKmsKeyId);
    if (!config.subnetIds().isEmpty()) {
      b.vpcConfig(v -> v.subnetIds(config.subnetIds()).securityGroupIds(config.securityGroupIds()));
    }
    if (rftConfig != null) {
      b.customizationConfig(c -> c.rftConfig(rftConfig));
    }
    if (type == CustomizationType.DISTILLATION) {
      String teacher = req.hyperparameters().extra("teacherModelIdentifier").map(String::valueOf)
          .orElseThrow(() -> new InvalidInputException("distillation needs a teacher model: set the hyperparameter extra"
              + " teacherModelIdentifier (such as amazon.nova-pro-v1:0)"));
      Integer maxLen = req.hyperparameters().extra("maxResponseLengthForInference").map(o -> {
        try {
          return (int) Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
          throw new InvalidInputException("maxResponseLengthForInference must be a whole number, was '" + o + "'");
        }
      }).orElse(null);
      b.customizationConfig(c -> c.distillationConfig(d -> d.teacherModelConfig(
          t -> t.teacherModelIdentifier(teacher).maxResponseLengthForInference(maxLen))));
    }
    return b.build();
  }

  private static CustomizationType customizationType(JobRequest req, ModelFamily family) {
    TrainingMethod m = req.method();
    switch (m) {
      case SUPERVISED:
        return CustomizationType.FINE_TUNING;
      case CONTINUED_PRE_TRAINING:
        if (family != ModelFamily.TITAN_TEXT && family != ModelFamily.OTHER) {
          throw new InvalidInputException("continued pre-training is not offered for " + req.baseModel()
              + " on Bedrock (Titan Text Lite/Express support it); use supervised fine-tuning");
        }
        return CustomizationType.CONTINUED_PRE_TRAINING;
      case DISTILLATION:
        return CustomizationType.DISTILLATION;
      case REINFORCEMENT:
        return CustomizationType.REINFORCEMENT_FINE_TUNING;
      default:
        throw new InvalidInputException("training method " + m + " is not supported by Bedrock model customization;"
            + " use SUPERVISED, CONTINUED_PRE_TRAINING or DISTILLATION, or another provider");
    }
  }

  private static void requireS3(String what, String id) {
    if (!id.startsWith("s3://")) {
      throw new InvalidInputException(what + " must be an s3:// URI returned by upload(), was '" + id + "'");
    }
  }

  private List<Tag> tags() {
    List<Tag> t = new ArrayList<>();
    config.tags().forEach((k, v) -> t.add(Tag.builder().key(k).value(v).build()));
    return t;
  }

  private static String tagValue(String s) {
    String v = s.replaceAll("[^\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]", "-");
    return v.length() > 256 ? v.substring(0, 256) : v;
  }

  @Override
  public Optional<RemoteJob> findJob(String idempotencyKey) {
    requireCredentials();
    String hash = Names.keyHash(idempotencyKey);
    String token = null;
    try {
      do {
        String t = token;
        ListModelCustomizationJobsResponse r = bedrock.listModelCustomizationJobs(b -> b.nameContains(hash).maxResults(100).nextToken(t));
        for (ModelCustomizationJobSummary s : r.modelCustomizationJobSummaries()) {
          if (s.jobName() != null && s.jobName().endsWith("-" + hash)) {
            RemoteJob j = JobMapper.toRemoteJob(s);
            Map<String, String> md = new LinkedHashMap<>(j.metadata());
            md.put(JobRequest.IDEMPOTENCY_METADATA_KEY, idempotencyKey);
            return Optional.of(RemoteJob.builder().id(j.id()).status(j.status()).baseModel(j.baseModel())
                .createdAt(j.createdAt()).finishedAt(j.finishedAt()).trainedTokens(j.trainedTokens()).metadata(md)
                .build());
          }
        }
        token = r.nextToken();
      } while (token != null && !token.isEmpty());
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("ListModelCustomizationJobs"), config);
    }
    return Optional.empty();
  }

  @Override
  public RemoteJob job(String jobId) {
    requireCredentials();
    return JobMapper.toRemoteJob(getJob(jobId));
  }

  private GetModelCustomizationJobResponse getJob(String jobId) {
    try {
      return bedrock.getModelCustomizationJob(b -> b.jobIdentifier(jobId));
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("GetModelCustomizationJob"), config);
    }
  }

  /**
   * Bedrock has no event log: the events are derived from the job's description (its stages and end),
   * which is re-read on every call. The cursor remembers the ids already delivered, so an event is
   * never delivered twice, even when a stage's event appears between two others.
   */
  @Override
  public Page<JobEvent> events(String jobId, Optional<Cursor> after) {
    requireCredentials();
    return Cursors.byId(JobMapper.events(getJob(jobId)), JobEvent::id, after);
  }

  /**
   * Bedrock writes the loss to CSV files in the job's output folder and cannot read them from a
   * position, so each read downloads them again; the cursor (the last step delivered) makes sure only
   * later steps are returned.
   */
  @Override
  public Page<MetricPoint> metrics(String jobId, Optional<Cursor> after) {
    requireCredentials();
    return Cursors.byStep(allMetrics(jobId), after);
  }

  /**
   * One poll: the job is read once for its status and events. Its metrics files are read only once the job
   * has ended: Bedrock uploads them to the output folder when the job completes (the user guide's "Analyze
   * the results of a model customization job"), so while it runs an S3 listing and two CSV downloads per poll
   * could find nothing new.
   */
  @Override
  public dev.tunekit.spi.JobProgress progress(String jobId, Optional<Cursor> eventsAfter, Optional<Cursor> metricsAfter) {
    requireCredentials();
    GetModelCustomizationJobResponse job = getJob(jobId);
    RemoteJob remote = JobMapper.toRemoteJob(job);
    Page<MetricPoint> metrics = remote.status().isTerminal() ? Cursors.byStep(allMetrics(job), metricsAfter)
        : new Page<>(List.of(), metricsAfter);
    return new dev.tunekit.spi.JobProgress(remote, Cursors.byId(JobMapper.events(job), JobEvent::id, eventsAfter),
        metrics);
  }

  private List<MetricPoint> allMetrics(String jobId) {
    return allMetrics(getJob(jobId));
  }

  private List<MetricPoint> allMetrics(GetModelCustomizationJobResponse job) {
    if (job.outputDataConfig() == null || job.outputDataConfig().s3Uri() == null) {
      return List.of();
    }
    String out = job.outputDataConfig().s3Uri();
    String bucket = S3Datasets.split(out)[0];
    String shortId = job.jobArn().substring(job.jobArn().lastIndexOf('/') + 1);
    S3Datasets store = datasets();
    List<String> keys = store.list(out);
    String training = pick(keys, MetricsCsv.TRAINING_FILE, shortId);
    String validation = pick(keys, MetricsCsv.VALIDATION_FILE, shortId);
    if (training == null && validation == null) {
      return List.of();
    }
    return MetricsCsv.merge(training == null ? "" : store.readText(bucket, training),
        validation == null ? "" : store.readText(bucket, validation));
  }

  /** The key ending in {@code file}, preferring one in this job's folder. */
  private static String pick(List<String> keys, String file, String jobShortId) {
    String any = null;
    for (String k : keys) {
      if (k.endsWith("/" + file) || k.equals(file)) {
        if (k.contains(jobShortId)) {
          return k;
        }
        any = any == null ? k : any;
      }
    }
    return any;
  }

  @Override
  public RemoteJob cancel(String jobId) {
    requireCredentials();
    GetModelCustomizationJobResponse before = getJob(jobId);
    ModelCustomizationJobStatus st = before.status();
    if (st != ModelCustomizationJobStatus.IN_PROGRESS) {
      return JobMapper.toRemoteJob(before); // already finished or stopping: stopping again is an error on Bedrock
    }
    try {
      bedrock.stopModelCustomizationJob(b -> b.jobIdentifier(jobId));
    } catch (RuntimeException e) {
      RuntimeException t = AwsErrors.translate(e, AwsErrors.Op.bedrock("StopModelCustomizationJob"), config);
      if (t instanceof ProviderException pe && !pe.retryable() && !(t instanceof NotFoundException)
          && pe.statusCode().orElse(0) < 500 && pe.statusCode().orElse(0) != 403) {
        RemoteJob now = job(jobId); // a concurrent stop or a finish: report the state instead of failing
        if (now.status().isTerminal()) {
          return now;
        }
      }
      throw t;
    }
    return job(jobId);
  }

  // ---------------------------------------------------------------- deployment

  @Override
  public Deployment deploy(String modelId, String name, Map<String, Object> options) {
    requireCredentials();
    BedrockConfig.DeploymentMode mode = deploymentMode(modelId, options);
    String resourceName = Names.resourceName(name);
    String token = Names.clientToken(resourceName);
    if (mode == BedrockConfig.DeploymentMode.ON_DEMAND) {
      try {
        String arn = bedrock.createCustomModelDeployment(b -> b.modelDeploymentName(resourceName).modelArn(modelId)
            .description("Tunekit deployment " + name).tags(tags()).clientRequestToken(token))
            .customModelDeploymentArn();
        return Deployment.builder().id(arn).modelId(modelId).inferenceModel(arn).state(Deployment.State.CREATING)
            .rawState("Creating").build();
      } catch (ConflictException e) {
        return onDemand(resourceName); // created by an earlier attempt under this name
      } catch (RuntimeException e) {
        throw AwsErrors.translate(e, AwsErrors.Op.bedrock("CreateCustomModelDeployment"), config);
      }
    }
    int units = intOption(options, "modelUnits").orElse(config.modelUnits());
    if (units < 1) {
      throw BedrockConfig.invalidOption("modelUnits", "must be at least 1, was " + units);
    }
    String commitment = Optional.ofNullable(options.get("commitmentDuration")).map(String::valueOf)
        .map(c -> BedrockConfig.parseCommitment(config.settings(), "commitmentDuration", c))
        .or(config::commitmentDuration).orElse("");
    try {
      String arn = bedrock.createProvisionedModelThroughput(b -> {
        b.provisionedModelName(resourceName).modelId(modelId).modelUnits(units).tags(tags()).clientRequestToken(token);
        if (!commitment.isEmpty()) {
          b.commitmentDuration(commitment);
        }
      }).provisionedModelArn();
      return Deployment.builder().id(arn).modelId(modelId).inferenceModel(arn).state(Deployment.State.CREATING)
          .rawState("Creating").build();
    } catch (ConflictException e) {
      return provisioned(resourceName);
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("CreateProvisionedModelThroughput"), config);
    }
  }

  BedrockConfig.DeploymentMode deploymentMode(String modelId, Map<String, Object> options) {
    Object o = options.get("deployment");
    if (o != null) {
      return BedrockConfig.DeploymentMode.parse(String.valueOf(o), config.settings(), "deployment");
    }
    if (config.deployment().isPresent()) {
      return config.deployment().get();
    }
    // The default follows the run's base model as Bedrock recorded it for the custom model (GetCustomModel's
    // baseModelArn, looked up in the catalog), never the text of the custom model's ARN or name.
    String base = baseModelOf(modelId);
    return ModelFamily.of(base).onDemandDeployment
        ? BedrockConfig.DeploymentMode.ON_DEMAND : BedrockConfig.DeploymentMode.PROVISIONED;
  }

  /** The foundation model a custom model was trained from (its {@code baseModelArn}). */
  private String baseModelOf(String modelId) {
    GetCustomModelResponse r;
    try {
      r = bedrock.getCustomModel(b -> b.modelIdentifier(modelId));
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("GetCustomModel"), config);
    }
    if (r.baseModelArn() == null || r.baseModelArn().isBlank()) {
      throw config.settings().invalid("deployment", "is not set and Bedrock did not say which base model " + modelId
          + " was trained from; set it to onDemand or provisioned (or pass it to run.deploy)");
    }
    return r.baseModelArn();
  }

  private static Optional<Integer> intOption(Map<String, Object> options, String key) {
    Object v = options.get(key);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(String.valueOf(v).trim()));
    } catch (NumberFormatException e) {
      throw BedrockConfig.invalidOption(key, "must be a whole number, was '" + v + "'");
    }
  }

  @Override
  public Deployment deployment(String deploymentId) {
    requireCredentials();
    if (isProvisioned(deploymentId)) {
      return provisioned(deploymentId);
    }
    return onDemand(deploymentId);
  }

  private static boolean isProvisioned(String id) {
    return id.contains(":provisioned-model/");
  }

  private Deployment onDemand(String id) {
    GetCustomModelDeploymentResponse r;
    try {
      r = bedrock.getCustomModelDeployment(b -> b.customModelDeploymentIdentifier(id));
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("GetCustomModelDeployment"), config);
    }
    Deployment.State s = r.status() == CustomModelDeploymentStatus.CREATING ? Deployment.State.CREATING
        : r.status() == CustomModelDeploymentStatus.ACTIVE ? Deployment.State.ACTIVE
        : r.status() == CustomModelDeploymentStatus.FAILED ? Deployment.State.FAILED
        : Deployment.State.UNKNOWN;
    String raw = r.statusAsString() == null ? "null" : r.statusAsString();
    if (s == Deployment.State.FAILED && r.failureMessage() != null) {
      raw = raw + ": " + r.failureMessage();
    }
    String arn = r.customModelDeploymentArn() != null ? r.customModelDeploymentArn() : id;
    return Deployment.builder().id(arn).modelId(r.modelArn() == null ? "unknown" : r.modelArn()).inferenceModel(arn)
        .state(s).rawState(raw).build();
  }

  private Deployment provisioned(String id) {
    GetProvisionedModelThroughputResponse r;
    try {
      r = bedrock.getProvisionedModelThroughput(b -> b.provisionedModelId(id));
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, AwsErrors.Op.bedrock("GetProvisionedModelThroughput"), config);
    }
    ProvisionedModelStatus st = r.status();
    Deployment.State s = st == ProvisionedModelStatus.CREATING ? Deployment.State.CREATING
        : st == ProvisionedModelStatus.IN_SERVICE || st == ProvisionedModelStatus.UPDATING ? Deployment.State.ACTIVE
        : st == ProvisionedModelStatus.FAILED ? Deployment.State.FAILED
        : Deployment.State.UNKNOWN;
    String raw = r.statusAsString() == null ? "null" : r.statusAsString();
    if (s == Deployment.State.FAILED && r.failureMessage() != null) {
      raw = raw + ": " + r.failureMessage();
    }
    String arn = r.provisionedModelArn() != null ? r.provisionedModelArn() : id;
    return Deployment.builder().id(arn).modelId(r.modelArn() == null ? "unknown" : r.modelArn()).inferenceModel(arn)
        .state(s).rawState(raw).build();
  }

  @Override
  public void undeploy(String deploymentId) {
    requireCredentials();
    boolean prov = isProvisioned(deploymentId);
    try {
      if (prov) {
        bedrock.deleteProvisionedModelThroughput(b -> b.provisionedModelId(deploymentId));
      } else {
        bedrock.deleteCustomModelDeployment(b -> b.customModelDeploymentIdentifier(deploymentId));
      }
    } catch (RuntimeException e) {
      RuntimeException t = AwsErrors.translate(e, AwsErrors.Op.bedrock(prov ? "DeleteProvisionedModelThroughput"
          : "DeleteCustomModelDeployment"), config);
      if (t instanceof NotFoundException) {
        return; // already gone: undeploy is idempotent
      }
      throw t;
    }
  }

  // ---------------------------------------------------------------- inference

  @Override
  public ChatResponse chat(ChatRequest request) {
    requireCredentials();
    List<SystemContentBlock> system = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    for (ChatMessage m : request.messages()) {
      switch (m.role()) {
        case "system":
          system.add(SystemContentBlock.fromText(m.content()));
          break;
        case "user":
          messages.add(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(m.content()))
              .build());
          break;
        case "assistant":
          messages.add(Message.builder().role(ConversationRole.ASSISTANT).content(ContentBlock.fromText(m.content()))
              .build());
          break;
        default:
          throw new InvalidInputException("chat message role '" + m.role() + "' is not supported by Bedrock Converse"
              + " here; use system, user or assistant");
      }
    }
    if (messages.isEmpty()) {
      throw new InvalidInputException("a chat request needs at least one user message");
    }
    InferenceConfiguration.Builder inf = InferenceConfiguration.builder();
    request.temperature().ifPresent(t -> inf.temperature(t.floatValue()));
    request.maxTokens().ifPresent(inf::maxTokens);
    ConverseResponse r;
    try {
      r = runtime.converse(b -> {
        b.modelId(request.model()).messages(messages).inferenceConfig(inf.build());
        if (!system.isEmpty()) {
          b.system(system);
        }
      });
    } catch (RuntimeException e) {
      throw AwsErrors.translate(e, new AwsErrors.Op("Converse", "bedrock:InvokeModel on " + request.model()), config);
    }
    StringBuilder text = new StringBuilder();
    if (r.output() != null && r.output().message() != null) {
      for (ContentBlock c : r.output().message().content()) {
        if (c.text() != null) {
          text.append(c.text());
        }
      }
    }
    long in = r.usage() == null || r.usage().inputTokens() == null ? -1 : r.usage().inputTokens();
    long out = r.usage() == null || r.usage().outputTokens() == null ? -1 : r.usage().outputTokens();
    return new ChatResponse(request.model(), text.toString(), finishReason(r.stopReasonAsString()), in, out);
  }

  static String finishReason(String stop) {
    if (stop == null) {
      return "unknown";
    }
    switch (stop) {
      case "end_turn":
      case "stop_sequence":
        return "stop";
      case "max_tokens":
      case "model_context_window_exceeded":
        return "length";
      case "guardrail_intervened":
      case "content_filtered":
        return "content_filter";
      case "tool_use":
        return "tool_calls";
      default:
        return stop;
    }
  }

  /** Where a job writes its output: {@code s3://bucket/prefix/output/<jobName>/}. */
  private String outputUri(String jobName) {
    return "s3://" + config.requireBucket() + "/" + config.keyPrefix() + "output/" + jobName + "/";
  }

  @Override
  public synchronized void close() {
    try {
      if (s3 != null) {
        s3.close();
      }
    } finally {
      if (s3EventLoop != null) {
        s3EventLoop.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
      }
      runtime.close();
      bedrock.close();
      if (ownedCredentials != null) {
        ownedCredentials.close();
      }
    }
  }

  @Override
  public String toString() {
    return "BedrockProvider{" + config + "}";
  }
}
