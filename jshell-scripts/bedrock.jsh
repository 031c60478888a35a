// Fine-tunes a model on Amazon Bedrock end to end, from JShell:
//
//   jshell-scripts/tunekit bedrock.jsh [DATASET] [--model M] [--epochs N] [--suffix S] [--prompt TEXT]
//                                      [--resume RUN_ID] [--no-deploy]
//
// validate DATASET (a chat JSONL file in OpenAI's format; default: the example widget-chat-train.jsonl when
// run from the repository root) → convert it to bedrock-conversation-2024 and upload it to S3 → create the
// model customization job → wait, drawing progress and loss → print the custom model → deploy it on demand
// (billed per token, no hourly charge) → ask it one question through Converse (--prompt, default the
// dataset's first user message). The default model is amazon.nova-micro-v1:0:128k.
//
// Environment:
//   AWS credentials   from the AWS default chain: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
//                     or AWS_PROFILE (a profile or SSO session; run `aws sso login` first), or ~/.aws/credentials.
//   AWS_REGION        the region (or AWS_DEFAULT_REGION, or the profile's region), such as us-east-1.
//   TUNEKIT_BEDROCK_BUCKET    required: an S3 bucket in that region for the data and the job output.
//   TUNEKIT_BEDROCK_ROLE_ARN  required: the IAM role Bedrock assumes (trusts bedrock.amazonaws.com, reads
//                             the bucket, writes its output/ folder). See sdk/tunekit-bedrock/README.md (IAM).
//   TUNEKIT_BEDROCK_PREFIX    optional key prefix in the bucket (default "tunekit").
//   TUNEKIT_LEDGER / TUNEKIT_WORK_DIR  where the run ledger and converted files go (default .tunekit/).
// When any of these is missing the script prints one line naming what to set and exits with status 2,
// before anything is built or sent (and without asking EC2 instance metadata for credentials).
//
// A paid job is submitted once: the run is recorded in the ledger before anything is uploaded. Bedrock
// jobs take hours; if the script stops, run it again with --resume RUN_ID (printed at submission) and it
// continues the same job without uploading or creating anything again. Exit status: 0 done, 1 dataset
// errors or the job did not succeed, 2 bad input or missing setup, 3 provider failure.

var args = Script.args("no-deploy");

int status = Script.run(() -> {
  Map<String, String> env = System.getenv();
  java.util.function.Predicate<String> set = name -> env.get(name) != null && !env.get(name).isBlank();
  Path home = Path.of(System.getProperty("user.home"), ".aws");
  boolean credentials = set.test("AWS_ACCESS_KEY_ID") || set.test("AWS_PROFILE")
      || set.test("AWS_WEB_IDENTITY_TOKEN_FILE") || set.test("AWS_CONTAINER_CREDENTIALS_FULL_URI")
      || set.test("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || Files.isRegularFile(home.resolve("credentials"));
  String region = set.test("AWS_REGION") ? env.get("AWS_REGION").trim()
      : set.test("AWS_DEFAULT_REGION") ? env.get("AWS_DEFAULT_REGION").trim() : null;
  boolean regionFromProfile = region == null && (set.test("AWS_PROFILE") || Files.isRegularFile(home.resolve("config")));
  List<String> missing = new ArrayList<>();
  if (!credentials) {
    missing.add("AWS credentials (export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)");
  }
  if (region == null && !regionFromProfile) {
    missing.add("AWS_REGION (such as us-east-1)");
  }
  if (!set.test("TUNEKIT_BEDROCK_ROLE_ARN")) {
    missing.add("TUNEKIT_BEDROCK_ROLE_ARN (the IAM role Bedrock assumes, arn:aws:iam::ACCOUNT:role/NAME)");
  }
  if (!set.test("TUNEKIT_BEDROCK_BUCKET")) {
    missing.add("TUNEKIT_BEDROCK_BUCKET (an S3 bucket in the job's region)");
  }
  if (!missing.isEmpty()) {
    System.err.println("bedrock.jsh cannot run: set " + String.join(", ", missing)
        + "; see the comment at the top of jshell-scripts/bedrock.jsh.");
    return 2;
  }

  String model = args.option("model").orElse("amazon.nova-micro-v1:0:128k");
  Integer epochs = null;
  if (args.option("epochs").isPresent()) {
    try {
      epochs = Integer.valueOf(args.option("epochs").get().trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--epochs must be a whole number such as 2, was '" + args.option("epochs").get() + "'");
    }
  }
  Path example = Path.of(System.getProperty("tunekit.home", "."), "examples/src/main/resources/dev/tunekit/examples/eval/widget-chat-train.jsonl");
  Path data = args.positional().isEmpty() ? example : Path.of(args.positional().get(0));
  String resumeId = args.option("resume").orElse(null);
  if (resumeId == null) {
    if (args.positional().isEmpty() && !Files.isRegularFile(example)) {
      throw new InvalidInputException("no DATASET given (and the example " + example + " is not under the current"
          + " directory). Usage: jshell-scripts/tunekit bedrock.jsh DATASET [--model M] [--epochs N]");
    }
    if (!Files.isRegularFile(data)) {
      throw new InvalidInputException("dataset file not found; check the path", data.toString());
    }

    // 1. Validate for Bedrock and this model (nothing leaves the machine yet).
    System.out.println("Validating " + data + " for " + model + " on Bedrock ...");
    DatasetReport report = Dataset.of(data).validate(new ValidationOptions("bedrock", model));
    report.print();
    if (report.hasErrors()) {
      System.out.println("Fix the errors above and run the script again; nothing was uploaded.");
      return 1;
    }
  }

  Tunekit.Builder builder = Tunekit.builder().provider("bedrock")
      .setting("bucket", "${TUNEKIT_BEDROCK_BUCKET}")
      .setting("roleArn", "${TUNEKIT_BEDROCK_ROLE_ARN}")
      .setting("prefix", "${TUNEKIT_BEDROCK_PREFIX:-tunekit}")
      .setting("deployment", "onDemand"); // never provisioned throughput (billed by the hour) from a script
  if (region != null) {
    builder.setting("region", region);
  }
  try (Tunekit tk = builder.build()) {
    // 2. Convert, upload and submit (once, recorded in the ledger), or continue an earlier run.
    Run run;
    if (resumeId != null) {
      run = tk.resume(resumeId);
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ", job " + run.info().jobId().orElse("?") + ")");
    } else {
      FineTune fineTune = tk.fineTune().model(model).trainingData(data);
      if (epochs != null) {
        int n = epochs;
        fineTune.hyperparameters(h -> h.epochs(n));
      }
      args.option("suffix").ifPresent(fineTune::suffix);
      run = fineTune.start();
      System.out.println("Run " + run.id() + " submitted as job " + run.info().jobId().orElse("?") + " (ledger "
          + tk.ledger() + "). If this stops, run the script again with --resume " + run.id());
    }

    // 3. Wait, with progress (Bedrock jobs take hours; Ctrl-C is safe, the job keeps running).
    RunResult result = run.await(RunListener.console());
    if (!result.succeeded()) {
      try {
        result.orThrow();
      } catch (TunekitException e) {
        System.err.println("error: " + e.getMessage());
      }
      return 1;
    }
    System.out.println("Custom model: " + result.fineTunedModel().orElseThrow());
    if (args.flag("no-deploy")) {
      return 0;
    }

    // 4. Deploy on demand and ask one question through Converse.
    var deployment = run.deploy();
    System.out.println("Deployed on demand: " + deployment.id() + " (delete it when done: aws bedrock"
        + " delete-custom-model-deployment --custom-model-deployment-identifier " + deployment.id() + ")");
    List<ChatMessage> messages = new ArrayList<>();
    String firstQuestion = null;
    if (Files.isRegularFile(data)) {
      try (var lines = Files.lines(data)) {
        var first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.findFirst().orElse("{}"));
        for (var m : first.path("messages")) {
          String role = m.path("role").asText();
          if (role.equals("system") && messages.isEmpty()) {
            messages.add(ChatMessage.system(m.path("content").asText()));
          } else if (role.equals("user") && firstQuestion == null) {
            firstQuestion = m.path("content").asText();
          }
        }
      } catch (Exception e) {
        // not a chat line: ask without a system prompt
      }
    }
    String prompt = args.option("prompt").orElse(firstQuestion != null ? firstQuestion : "Hello! What can you do?");
    messages.add(ChatMessage.user(prompt));
    System.out.println("> " + prompt);
    ChatResponse reply = run.chatModel().chat(ChatRequest.of("tuned", messages));
    System.out.println(reply.content());
    return 0;
  }
});

/exit status
