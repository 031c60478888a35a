package dev.tunekit.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.model.MetricPoint;
import dev.tunekit.dataset.DatasetKind;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.ProviderSettings;
import dev.tunekit.spi.TrainingMethod;
import dev.tunekit.spi.TuningProvider;
import dev.tunekit.spi.TuningProviderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.bedrock.model.CreateModelCustomizationJobRequest;
import software.amazon.awssdk.services.bedrock.model.CustomizationType;

/** Pure mapping rules: names, hyperparameter ranges, CSV metrics, settings, formats. No network. */
class MappingRulesTest {
  @TempDir Path tmp;

  // ------------------------------------------------------------------ names

  @ParameterizedTest
  @ValueSource(strings = {"run-1", "RUN 2026/11/02 #7 — ünïcode", "a", "a-very-long-run-identifier-that-goes-on-and-on-well-past-the-sixty-three-character-limit-of-bedrock-names", "---", "k:with:colons"})
  void generatedNamesSatisfyBedrocksPatternsAndLengthAndAreDeterministic(String key) {
    String job = Names.jobName(key, key);
    String model = Names.customModelName(key, "support bot v2");
    String dep = Names.resourceName(key);

    assertThat(job).matches(Names.JOB_NAME).hasSizeLessThanOrEqualTo(63).endsWith(Names.keyHash(key));
    assertThat(model).matches(Names.RESOURCE_NAME).hasSizeLessThanOrEqualTo(63);
    assertThat(dep).matches(Names.RESOURCE_NAME).hasSizeLessThanOrEqualTo(63);
    assertThat(Names.clientToken(key)).matches(Names.TOKEN).hasSizeLessThanOrEqualTo(256);
    assertThat(Names.jobName(key, key)).isEqualTo(job);
  }

  @Test
  void differentKeysGiveDifferentJobNamesEvenWithTheSameReadablePart() {
    assertThat(Names.jobName("run-1:submit", "bot")).isNotEqualTo(Names.jobName("run-2:submit", "bot"));
  }

  @Test
  void validKeyIsUsedAsTheClientTokenAndOthersAreHashed() {
    assertThat(Names.clientToken("run-42-submit")).isEqualTo("run-42-submit");
    assertThat(Names.clientToken("run 42/submit")).hasSize(64).matches("[0-9a-f]+");
  }

  // ------------------------------------------------------------------ hyperparameters

  @Test
  void novaTakesEpochsLearningRateAndWarmupWithinItsRanges() {
    Map<String, String> hp = HyperparameterMapper.map("amazon.nova-lite-v1:0:300k",
        Hyperparameters.builder().epochs(5).learningRateMultiplier(1e-4).extra("learningRateWarmupSteps", 100).build());
    assertThat(hp).containsExactly(Map.entry("epochCount", "5"), Map.entry("learningRate", "0.0001"),
        Map.entry("learningRateWarmupSteps", "100"));
    assertThatThrownBy(() -> HyperparameterMapper.map("amazon.nova-lite-v1:0:300k",
        Hyperparameters.builder().learningRateMultiplier(0.001).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("between 0.000001..0.0001").hasMessageContaining("0.001");
    assertThatThrownBy(() -> HyperparameterMapper.map("amazon.nova-pro-v1:0:300k",
        Hyperparameters.builder().extra("learningRateWarmupSteps", 101).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("0..100");
  }

  @Test
  void claudeHaikuMapsTheLearningRateToItsMultiplierAndChecksBatchAndEarlyStopping() {
    String haiku = "anthropic.claude-3-haiku-20240307-v1:0:200k";
    Map<String, String> hp = HyperparameterMapper.map(haiku, Hyperparameters.builder().epochs(10).batchSize(4)
        .learningRateMultiplier(2.0).extra("earlyStoppingThreshold", 0.01).extra("earlyStoppingPatience", "3").build());
    assertThat(hp).containsEntry("learningRateMultiplier", "2").containsEntry("batchSize", "4")
        .containsEntry("earlyStoppingThreshold", "0.01").containsEntry("earlyStoppingPatience", "3")
        .doesNotContainKey("learningRate");
    assertThatThrownBy(() -> HyperparameterMapper.map(haiku, Hyperparameters.builder().batchSize(2).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("4..256");
    assertThatThrownBy(() -> HyperparameterMapper.map(haiku, Hyperparameters.builder().epochs(11).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("1..10");
  }

  @Test
  void titanExpressAndPremierHaveTheirOwnRanges() {
    assertThat(HyperparameterMapper.map("amazon.titan-text-express-v1:0:8k",
        Hyperparameters.builder().batchSize(64).extra("learningRateWarmupSteps", 250).build()))
        .containsEntry("batchSize", "64").containsEntry("learningRateWarmupSteps", "250");
    assertThatThrownBy(() -> HyperparameterMapper.map("amazon.titan-text-premier-v1:0:32k",
        Hyperparameters.builder().batchSize(2).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("1..1");
    assertThatThrownBy(() -> HyperparameterMapper.map("amazon.titan-text-premier-v1:0:32k",
        Hyperparameters.builder().learningRateMultiplier(1e-4).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("learningRate");
  }

  @Test
  void llamaThreeAcceptsOnlyBatchSizeOne() {
    String llama = "meta.llama3-1-8b-instruct-v1:0:128k";
    assertThat(HyperparameterMapper.map(llama, Hyperparameters.builder().epochs(10).batchSize(1).learningRateMultiplier(0.1).build()))
        .containsExactly(Map.entry("epochCount", "10"), Map.entry("batchSize", "1"), Map.entry("learningRate", "0.1"));
    assertThatThrownBy(() -> HyperparameterMapper.map(llama, Hyperparameters.builder().batchSize(2).build()))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void misspelledExtraIsRejectedForAKnownFamilyButPassedThroughForAnUnknownOne() {
    assertThatThrownBy(() -> HyperparameterMapper.map("amazon.nova-micro-v1:0:128k",
        Hyperparameters.builder().extra("learningRateWarmupStep", 5).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("learningRateWarmupStep is not supported")
        .hasMessageContaining("learningRateWarmupSteps");
    assertThat(HyperparameterMapper.map("cohere.command-light-text-v14:7:4k",
        Hyperparameters.builder().extra("evalPercentage", 20).extra("mode", "fast").build()))
        .containsEntry("evalPercentage", "20").containsEntry("mode", "fast");
  }

  @Test
  void distillationTeacherSettingsAreNotSentAsHyperparameters() {
    assertThat(HyperparameterMapper.map("amazon.nova-micro-v1:0:128k", Hyperparameters.builder()
        .extra("teacherModelIdentifier", "amazon.nova-pro-v1:0").build())).isEmpty();
  }

  // ------------------------------------------------------------------ request building

  @Test
  void distillationRequestCarriesTheTeacherAndSupervisedIsFineTuning() {
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings("http://127.0.0.1:9", "http://127.0.0.1:9"))) {
      JobRequest sft = Fixtures.request("k", Hyperparameters.defaults());
      assertThat(p.toCreateRequest(sft).customizationType()).isEqualTo(CustomizationType.FINE_TUNING);
      assertThat(p.toCreateRequest(sft).hyperParameters()).isEmpty();

      JobRequest distill = new JobRequest("run-1", "k2", Fixtures.NOVA, TrainingMethod.DISTILLATION, "s3://b/t.jsonl",
          Optional.empty(), Hyperparameters.builder().extra("teacherModelIdentifier", "amazon.nova-pro-v1:0")
          .extra("maxResponseLengthForInference", 1000).build(), Optional.empty(), Map.of());
      CreateModelCustomizationJobRequest r = p.toCreateRequest(distill);
      assertThat(r.customizationType()).isEqualTo(CustomizationType.DISTILLATION);
      assertThat(r.customizationConfig().distillationConfig().teacherModelConfig().teacherModelIdentifier())
          .isEqualTo("amazon.nova-pro-v1:0");
      assertThat(r.customizationConfig().distillationConfig().teacherModelConfig().maxResponseLengthForInference()).isEqualTo(1000);
      assertThat(r.validationDataConfig()).isNull();
    }
  }

  @Test
  void unsupportedMethodsAndNonS3FilesAreRejectedWithAdvice() {
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings("http://127.0.0.1:9", "http://127.0.0.1:9"))) {
      JobRequest dpo = new JobRequest("r", "k", Fixtures.NOVA, TrainingMethod.DPO, "s3://b/t", Optional.empty(),
          Hyperparameters.defaults(), Optional.empty(), Map.of());
      assertThatThrownBy(() -> p.toCreateRequest(dpo)).isInstanceOf(InvalidInputException.class).hasMessageContaining("DPO");
      JobRequest cpt = new JobRequest("r", "k", Fixtures.NOVA, TrainingMethod.CONTINUED_PRE_TRAINING, "s3://b/t",
          Optional.empty(), Hyperparameters.defaults(), Optional.empty(), Map.of());
      assertThatThrownBy(() -> p.toCreateRequest(cpt)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("continued pre-training");
      JobRequest local = new JobRequest("r", "k", Fixtures.NOVA, TrainingMethod.SUPERVISED, "file-abc123",
          Optional.empty(), Hyperparameters.defaults(), Optional.empty(), Map.of());
      assertThatThrownBy(() -> p.toCreateRequest(local)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("s3:// URI");
      JobRequest distillNoTeacher = new JobRequest("r", "k", Fixtures.NOVA, TrainingMethod.DISTILLATION, "s3://b/t",
          Optional.empty(), Hyperparameters.defaults(), Optional.empty(), Map.of());
      assertThatThrownBy(() -> p.toCreateRequest(distillNoTeacher)).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("teacherModelIdentifier");
    }
  }

  @Test
  void trainingFormatFollowsTheFamilyAndPreferenceDataIsRefused() {
    try (BedrockProvider p = Fixtures.provider(tmp, Fixtures.settings("http://127.0.0.1:9", "http://127.0.0.1:9"))) {
      assertThat(p.trainingFormat(Fixtures.NOVA, DatasetKind.CHAT)).isEqualTo(BedrockFormats.CONVERSATION);
      assertThat(p.trainingFormat("amazon.titan-text-express-v1:0:8k", DatasetKind.CHAT)).isEqualTo(BedrockFormats.PROMPT_COMPLETION);
      assertThat(p.trainingFormat("anthropic.claude-3-haiku-20240307-v1:0:200k", DatasetKind.CHAT))
          .isEqualTo(BedrockFormats.CONVERSATION);
      assertThatThrownBy(() -> p.trainingFormat(Fixtures.NOVA, DatasetKind.PREFERENCE))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("preference");
    }
  }

  // ------------------------------------------------------------------ metrics

  @Test
  void csvMetricsMergeByStepAndToleratePartialLinesAndReorderedColumns() {
    List<MetricPoint> points = MetricsCsv.merge(
        "step_number,epoch_number,training_loss,perplexity\r\n1,0,2.0,7.3\r\n2,0,1.5,4.4\r\n3,1",
        "perplexity,validation_loss,epoch_number,step_number\n3.3,1.2,0,2\n");
    assertThat(points).containsExactly(MetricPoint.trainLoss(1, 2.0),
        new MetricPoint(2, OptionalDouble.of(1.5), OptionalDouble.of(1.2), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(MetricsCsv.merge("", "")).isEmpty();
    assertThat(MetricsCsv.merge("no,header,we,know\n1,2,3,4", null)).isEmpty();
  }

  // ------------------------------------------------------------------ settings and factory

  private static ProviderSettings settings(Map<String, Object> values) {
    return ProviderSettings.of("bedrock", "tunekit.yaml", Path.of("."), values);
  }

  @Test
  void malformedSettingsNameTheKeyAndFile() {
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("bucket", "s3://bucket/path"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tunekit.yaml")
        .hasMessageContaining("providers.bedrock.bucket");
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("roleArn", "BedrockRole"))))
        .hasMessageContaining("providers.bedrock.roleArn");
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("deployment", "serverless"))))
        .hasMessageContaining("onDemand or provisioned");
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("vpc", Map.of("subnetIds", List.of("subnet-1"))))))
        .hasMessageContaining("providers.bedrock.vpc");
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("endpoint", "not a url"))))
        .hasMessageContaining("providers.bedrock.endpoint");
    assertThatThrownBy(() -> BedrockConfig.from(settings(Map.of("multipartPartSizeBytes", 1024))))
        .hasMessageContaining("5 MiB");
  }

  @Test
  void settingsAreParsedWithDefaults() {
    BedrockConfig c = BedrockConfig.from(settings(Map.of("bucket", "b", "prefix", "/team/runs/", "deployment", "on-demand",
        "modelUnits", "2", "commitmentDuration", "six_months", "callTimeout", "90s",
        "vpc", Map.of("subnetIds", "subnet-1, subnet-2", "securityGroupIds", List.of("sg-1")))));
    assertThat(c.prefix()).isEqualTo("team/runs");
    assertThat(c.deployment()).contains(BedrockConfig.DeploymentMode.ON_DEMAND);
    assertThat(c.modelUnits()).isEqualTo(2);
    assertThat(c.commitmentDuration()).contains("SixMonths");
    assertThat(c.callTimeout()).contains(Duration.ofSeconds(90));
    assertThat(c.subnetIds()).containsExactly("subnet-1", "subnet-2");
    assertThat(c.s3ChunkedEncoding()).isTrue();
    assertThat(BedrockConfig.from(settings(Map.of())).prefix()).isEqualTo("tunekit");
  }

  @Test
  void missingBucketAndRoleAreReportedWhenNeededNotBefore() {
    BedrockConfig c = BedrockConfig.from(settings(Map.of()));
    assertThatThrownBy(c::requireBucket).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("providers.bedrock.bucket is required");
    assertThatThrownBy(c::requireRoleArn).hasMessageContaining("providers.bedrock.roleArn is required")
        .hasMessageContaining("bedrock.amazonaws.com");
  }

  @Test
  void factoryIsFoundByServiceLoaderUnderBedrockAndBuildsWithoutRemoteCalls() {
    TuningProviderFactory factory = ServiceLoader.load(TuningProviderFactory.class).stream()
        .map(ServiceLoader.Provider::get).filter(f -> f.names().contains("bedrock")).findFirst().orElseThrow();
    // Endpoints point at a closed loopback port: building the provider must not touch them.
    try (TuningProvider p = factory.create(settings(Map.of("region", "eu-west-1", "endpoint", "http://127.0.0.1:9",
        "runtimeEndpoint", "http://127.0.0.1:9", "s3Endpoint", "http://127.0.0.1:9")))) {
      assertThat(p.name()).isEqualTo("bedrock");
      assertThat(p.toString()).doesNotContain("eu-west-1");
    }
  }

  @Test
  void retryAfterHeaderParsesSecondsAndHttpDates() {
    assertThat(AwsErrors.parseRetryAfter("2.5")).contains(Duration.ofMillis(2500));
    assertThat(AwsErrors.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
    assertThat(AwsErrors.parseRetryAfter("soon")).isEmpty();
  }
}
