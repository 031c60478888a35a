// Fine-tunes an open-weight model on Together AI through the whole eval-gated workflow, from JShell:
//
//   jshell-scripts/tunekit together.jsh [DATA_DIR] [--model M] [--epochs N] [--resume RUN_ID]
//
// DATA_DIR holds train.jsonl, validation.jsonl, heldout.jsonl and baseline-system-prompt.txt, as
// examples/data/nl2query does (the default, when run from the repository root). validate for Together →
// baseline: the prompt-engineered base model answers the held-out questions through Together's
// OpenAI-compatible /chat/completions, before anything is uploaded or paid for → upload (found again by
// name and size if it was uploaded before) → create the LoRA fine-tune (its suffix carries a tag of the run's
// key) → wait, with progress → the tuned model answers the same questions → gate: it must beat the baseline
// by 5 points. The default model is meta-llama/Meta-Llama-3.1-8B-Instruct-Reference.
//
// Environment:
//   TOGETHER_API_KEY  required: an API key from api.together.ai (Settings, API keys).
// When it is missing the script prints one line naming what to set and exits with status 2, before anything
// is built or sent.
//
// A paid job is created once: the run is recorded in the ledger before anything is uploaded, and after a
// lost reply the job is looked up by its suffix tag before any retry. If the script stops, run it again with
// --resume RUN_ID. Exit status: 0 done, 1 dataset errors, job not succeeded or gate blocked, 2 bad input or
// missing setup, 3 provider failure.

var args = Script.args();

int status = Script.run(() -> {
  String key = System.getenv("TOGETHER_API_KEY");
  if (key == null || key.isBlank()) {
    System.err.println("together.jsh cannot run: set TOGETHER_API_KEY (an API key from api.together.ai, Settings,"
        + " API keys); see the comment at the top of jshell-scripts/together.jsh.");
    return 2;
  }

  String model = args.option("model").orElse("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference");
  Path data = args.positional().isEmpty()
      ? Path.of(System.getProperty("tunekit.home", "."), "examples/data/nl2query") : Path.of(args.positional().get(0));
  for (String f : List.of("train.jsonl", "validation.jsonl", "heldout.jsonl", "baseline-system-prompt.txt")) {
    if (!Files.isRegularFile(data.resolve(f))) {
      throw new InvalidInputException("DATA_DIR must hold " + f + "; usage: jshell-scripts/tunekit together.jsh DATA_DIR",
          data.resolve(f).toString());
    }
  }
  Tunekit.Builder builder = Tunekit.builder().provider("together").setting("apiKey", "${TOGETHER_API_KEY}");
  try (Tunekit tk = builder.build()) {
    Run run;
    if (args.option("resume").isPresent()) {
      run = tk.resume(args.option("resume").get());
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ")");
    } else {
      System.out.println("Validating " + data.resolve("train.jsonl") + " for " + model + " on Together AI ...");
      DatasetReport report = Dataset.of(data.resolve("train.jsonl")).validate(new ValidationOptions("together", model));
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
          .suffix("together-jsh")
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
    System.out.println("Tuned model (ask it on Together's /chat/completions): " + result.fineTunedModel().orElse("?"));
    return 0;
  }
});

/exit status
