// Fine-tunes a model on Azure OpenAI end to end, eval-gated, from JShell:
//
//   jshell-scripts/tunekit azure.jsh [DATASET] [--eval SUITE.yaml] [--model M] [--base-deployment NAME]
//                                    [--epochs N] [--suffix S] [--training-type T] [--sku SKU] [--gate POINTS]
//                                    [--resume RUN_ID]
//
// validate DATASET (a chat JSONL file; default: the example widget-chat-train.jsonl of this repository)
// → evaluate the baseline (the base model's deployment, --base-deployment, default the model name, with
// the dataset's system prompt) on SUITE (default widget-chat-eval.yaml, graded by exact match) → upload
// and submit the job (--training-type standard, globalstandard or developertier) → wait, drawing
// progress → deploy the tuned model through Azure Resource Manager (--sku, default developertier: no
// hourly fee, deleted after 24 hours; standard is billed per hour) → evaluate it through that deployment
// → apply the gate (--gate, default 5 points): promoted, the deployment stays; blocked, it is deleted.
//
// Environment:
//   AZURE_OPENAI_ENDPOINT   required: https://my-resource.openai.azure.com
//   AZURE_OPENAI_API_KEY    required: the resource's key (data plane: files, jobs, chat)
//   AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZURE_OPENAI_ACCOUNT   required: where Resource Manager
//                           deploys (the account is the resource's name)
//   Resource Manager credentials come from azure-identity's DefaultAzureCredential: AZURE_TENANT_ID +
//   AZURE_CLIENT_ID + AZURE_CLIENT_SECRET, a managed identity, or `az login`; preflight checks them
//   before anything is uploaded and says so in one line when there are none.
//   TUNEKIT_LEDGER / TUNEKIT_WORK_DIR  where the run ledger and converted files go (default .tunekit/).
// When any required variable is missing the script prints one line naming what to set and exits with
// status 2, before anything is built or sent.
//
// A paid job is submitted once: the run is recorded in the ledger before anything is uploaded, and the
// deployment name (tunekit-<run id>) is its idempotency key. Exit status: 0 promoted, 1 dataset errors, job
// failed or gate blocked, 2 bad input or missing setup, 3 provider failure.

var args = Script.args();

int status = Script.run(() -> {
  Map<String, String> env = System.getenv();
  List<String> missing = new ArrayList<>();
  for (String name : List.of("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_SUBSCRIPTION_ID",
      "AZURE_RESOURCE_GROUP", "AZURE_OPENAI_ACCOUNT")) {
    if (env.get(name) == null || env.get(name).isBlank()) {
      missing.add(name);
    }
  }
  if (!missing.isEmpty()) {
    System.err.println("azure.jsh cannot run: set " + String.join(", ", missing) + " (and Azure credentials for"
        + " Resource Manager: AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID or az login); see the comment at"
        + " the top of jshell-scripts/azure.jsh.");
    return 2;
  }

  String model = args.option("model").orElse("gpt-4.1-mini-2025-04-14");
  String baseDeployment = args.option("base-deployment").orElse(model);
  Path home = Path.of(System.getProperty("tunekit.home", "."));
  Path example = home.resolve("examples/src/main/resources/dev/tunekit/examples/eval/widget-chat-train.jsonl");
  Path data = args.positional().isEmpty() ? example : Path.of(args.positional().get(0));
  Path evalFile = args.option("eval").map(Path::of)
      .orElse(home.resolve("examples/src/main/resources/dev/tunekit/examples/eval/widget-chat-eval.yaml"));
  for (Path f : List.of(data, evalFile)) {
    if (!Files.isRegularFile(f)) {
      throw new InvalidInputException("file not found; check the path (usage: jshell-scripts/tunekit azure.jsh"
          + " DATASET --eval SUITE.yaml)", f.toString());
    }
  }
  double gate;
  try {
    gate = Double.parseDouble(args.option("gate").orElse("5").trim()) / 100.0;
  } catch (NumberFormatException e) {
    throw new InvalidInputException("--gate must be a number of points such as 5, was '" + args.option("gate").get() + "'");
  }
  Integer epochs = null;
  if (args.option("epochs").isPresent()) {
    try {
      epochs = Integer.valueOf(args.option("epochs").get().trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--epochs must be a whole number such as 3, was '" + args.option("epochs").get() + "'");
    }
  }

  // 1. Validate the data and load the suite (nothing leaves the machine yet).
  System.out.println("Validating " + data + " for " + model + " on Azure OpenAI ...");
  DatasetReport report = Dataset.of(data).validate(new ValidationOptions("azure", model));
  report.print();
  if (report.hasErrors()) {
    System.out.println("Fix the errors above and run the script again; nothing was uploaded.");
    return 1;
  }
  EvalSuite suite = EvalSuite.load(evalFile).withGrader(Graders.exactMatch());
  String systemPrompt = null;
  try (var lines = Files.lines(data)) {
    var first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.findFirst().orElse("{}"));
    for (var m : first.path("messages")) {
      if (m.path("role").asText().equals("system")) {
        systemPrompt = m.path("content").asText();
        break;
      }
    }
  } catch (Exception e) {
    // no system prompt: the baseline is the bare base model
  }

  String sku = args.option("sku").orElse("developertier");
  Tunekit.Builder builder = Tunekit.builder().provider("azure")
      .setting("endpoint", "${AZURE_OPENAI_ENDPOINT}")
      .setting("apiKey", "${AZURE_OPENAI_API_KEY}")
      .setting("subscriptionId", "${AZURE_SUBSCRIPTION_ID}")
      .setting("resourceGroup", "${AZURE_RESOURCE_GROUP}")
      .setting("account", "${AZURE_OPENAI_ACCOUNT}")
      .setting("deploymentSku", sku);
  args.option("training-type").ifPresent(t -> builder.setting("trainingType", t));
  try (Tunekit tk = builder.build()) {
    // 2. Baseline, upload and submit (once, recorded in the ledger); preflight checks the settings and the
    //    Resource Manager credentials first.
    Run run;
    if (args.option("resume").isPresent()) {
      // The same run, not a new one: nothing is uploaded or submitted twice (the ledger knows what was done).
      run = tk.resume(args.option("resume").get());
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ")");
    } else {
      FineTune fineTune = tk.fineTune().model(model).trainingData(data).evaluateWith(suite)
          .gate(gate).deployBeforeEvaluation(true);
      if (baseDeployment.equals(model)) {
        // Azure chat addresses deployments: the base model is deployed under its own name.
        if (systemPrompt != null) {
          fineTune.baselinePrompt(systemPrompt);
        }
      } else {
        ChatModel base = tk.chatModel(baseDeployment);
        List<ChatMessage> preamble = systemPrompt == null ? List.of() : List.of(ChatMessage.system(systemPrompt));
        fineTune.baseline(EvalTarget.of("baseline", r -> {
          List<ChatMessage> messages = new ArrayList<>(preamble);
          messages.addAll(r.messages());
          return base.chat(new ChatRequest(baseDeployment, messages, r.temperature(), r.maxTokens(), r.seed()));
        }, baseDeployment));
      }
      if (epochs != null) {
        int n = epochs;
        fineTune.hyperparameters(h -> h.epochs(n));
      }
      args.option("suffix").ifPresent(fineTune::suffix);
      System.out.println("The tuned model is evaluated through a " + sku + " deployment: " + (sku.equalsIgnoreCase(
          "developertier") ? "no hourly fee, deleted by Azure after 24 hours" : "billed per hour while it exists")
          + "; it is deleted again if the gate blocks.");
      run = fineTune.start();
      System.out.println("Run " + run.id() + " submitted as job " + run.info().jobId().orElse("?") + " (ledger "
          + tk.ledger() + "). If this stops, run the script again with --resume " + run.id());
    }

    // 3. Wait with progress; the tuned model is deployed (tunekit-<run id>) and evaluated through it.
    RunResult result = run.await(RunListener.console());
    if (result.gate().isEmpty()) {
      System.err.println("error: the run ended " + result.state() + ": " + result.failureReason().orElse("see run.info()"));
      return 1;
    }
    if (!result.gate().get().passed()) {
      System.out.println("Gate blocked: the evaluation deployment was deleted, nothing stays deployed.");
      return 1;
    }
    var deployment = run.deploy();
    System.out.println("Promoted: deployment " + deployment.id() + " serves " + deployment.modelId() + " ("
        + (sku.equalsIgnoreCase("developertier") ? "developer tier: no hourly fee, deleted by Azure after 24 hours"
            : sku + ": billed per hour until you delete it") + "). Call it with model \"" + deployment.inferenceModel()
        + "\".");
    return 0;
  }
});

/exit status
