// Fine-tunes an open-weight model on Fireworks AI through the whole eval-gated workflow, from JShell:
//
//   jshell-scripts/tunekit fireworks.jsh [DATA_DIR] [--model M] [--epochs N] [--resume RUN_ID]
//
// DATA_DIR holds train.jsonl, validation.jsonl, heldout.jsonl and baseline-system-prompt.txt, as
// examples/data/nl2query does (the default, when run from the repository root). validate for Fireworks →
// baseline: the prompt-engineered base model answers the held-out questions through Fireworks'
// OpenAI-compatible /chat/completions (serverless), before anything is uploaded or paid for → upload (a dataset
// named after the content's hash, found again if it was uploaded before) → create the LoRA fine-tuning job (its
// id is derived from the run's key) → wait, with progress and Fireworks' cost estimate → deploy the tuned LoRA
// model to a dedicated deployment (Fireworks serves tuned LoRA models only there; it bills by the GPU-hour and is
// removed again if the gate blocks) → the tuned model answers the same questions → gate: it must beat the
// baseline by 5 points. The default model is accounts/fireworks/models/llama-v3p1-8b-instruct.
//
// Environment:
//   FIREWORKS_API_KEY     required: an API key from fireworks.ai (Settings, API Keys).
//   FIREWORKS_ACCOUNT_ID  required: your account id (accounts/<id>; `firectl whoami` shows it).
// When either is missing the script prints one line naming what to set and exits with status 2, before anything
// is built or sent.
//
// A paid job is created once: the run is recorded in the ledger before anything is uploaded, and the job's id
// comes from the run's key, so a retry after a lost reply finds the job instead of creating another. If the
// script stops, run it again with --resume RUN_ID. The deployment stays up after a promoted run: delete it on
// fireworks.ai (Deployments) when you are done. Exit status: 0 done, 1 dataset errors, job not succeeded or gate
// blocked, 2 bad input or missing setup, 3 provider failure.

var args = Script.args();

int status = Script.run(() -> {
  List<String> missing = new ArrayList<>();
  for (String v : List.of("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID")) {
    if (System.getenv(v) == null || System.getenv(v).isBlank()) {
      missing.add(v);
    }
  }
  if (!missing.isEmpty()) {
    System.err.println("fireworks.jsh cannot run: set " + String.join(" and ", missing) + " (an API key from"
        + " fireworks.ai, Settings, API Keys, and your account id from `firectl whoami`); see the comment at the top of"
        + " jshell-scripts/fireworks.jsh.");
    return 2;
  }

  String model = args.option("model").orElse("accounts/fireworks/models/llama-v3p1-8b-instruct");
  Path data = args.positional().isEmpty()
      ? Path.of(System.getProperty("tunekit.home", "."), "examples/data/nl2query") : Path.of(args.positional().get(0));
  for (String f : List.of("train.jsonl", "validation.jsonl", "heldout.jsonl", "baseline-system-prompt.txt")) {
    if (!Files.isRegularFile(data.resolve(f))) {
      throw new InvalidInputException("DATA_DIR must hold " + f + "; usage: jshell-scripts/tunekit fireworks.jsh DATA_DIR",
          data.resolve(f).toString());
    }
  }
  Tunekit.Builder builder = Tunekit.builder().provider("fireworks").setting("apiKey", "${FIREWORKS_API_KEY}")
      .setting("accountId", "${FIREWORKS_ACCOUNT_ID}");
  try (Tunekit tk = builder.build()) {
    Run run;
    if (args.option("resume").isPresent()) {
      run = tk.resume(args.option("resume").get());
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ")");
    } else {
      System.out.println("Validating " + data.resolve("train.jsonl") + " for " + model + " on Fireworks AI ...");
      DatasetReport report = Dataset.of(data.resolve("train.jsonl")).validate(new ValidationOptions("fireworks", model));
      report.print();
      if (report.hasErrors()) {
        System.out.println("Fix the errors above and run the script again; nothing was uploaded.");
        return 1;
      }
      var suite = EvalSuite.load(data.resolve("heldout.jsonl"))
          .withGrader(Graders.exactMatch(Normalization.TRIM, Normalization.COLLAPSE_WHITESPACE));
      FineTune fineTune = tk.fineTune().model(model)
          .trainingData(data.resolve("train.jsonl"))
          .validationData(data.resolve("validation.jsonl"))
          .suffix("fireworks-jsh")
          .evaluateWith(suite)
          .baselinePrompt(Files.readString(data.resolve("baseline-system-prompt.txt")))
          .gate(0.05);
      if (args.option("epochs").isPresent()) {
        int n;
        try {
          n = Integer.parseInt(args.option("epochs").get().trim());
        } catch (NumberFormatException e) {
          throw new InvalidInputException("--epochs must be a whole number such as 2, was '" + args.option("epochs").get() + "'");
        }
        fineTune.hyperparameters(h -> h.epochs(n));
      }
      run = fineTune.start();
      System.out.println("Run " + run.id() + " submitted as job " + run.info().jobId().orElse("?")
          + ". If this stops, run the script again with --resume " + run.id());
    }
    RunResult result = run.await(RunListener.console());
    if (!result.succeeded()) {
      System.err.println("error: " + result.failureReason().orElse(result.state().toString()));
      return 1;
    }
    var gate = run.gate().orElseThrow(() -> new TunekitException("no gate result was recorded; see the log above"));
    System.out.println("Gate: " + gate.message());
    if (!gate.passed()) {
      System.out.println("the tuned model did not beat the baseline by enough");
      return 1;
    }
    Deployment deployment = run.deploy();
    System.out.println("Tuned model " + result.fineTunedModel().orElse("?") + " is served by deployment " + deployment.id()
        + "; ask it on Fireworks' /inference/v1/chat/completions as model " + deployment.inferenceModel()
        + ". Delete the deployment when you are done: it bills by the GPU-hour.");
    return 0;
  }
});

/exit status
