// Self-hosted fine-tuning, one script body for every engine: the eval-gated workflow on `ray`, `kubeflow` or
// `local`, chosen by the config and nothing else.
//
//   jshell-scripts/tunekit selfhosted.jsh [--config FILE] [DATA_DIR] [--resume RUN_ID]
//
// FILE defaults to jshell-scripts/selfhosted.yaml, which has a section for each engine and chooses `local` (offline,
// no GPU); `TUNEKIT_PROVIDER=ray` or `TUNEKIT_PROVIDER=kubeflow` (or the file's `provider:` line) switches engine.
// With that default, the ledger and work files go to ./.tunekit (or $TUNEKIT_WORK_DIR) in the current directory.
// The runbook, with the exact config for one GPU box and for a cluster: docs/self-hosted.md.
//
// DATA_DIR holds train.jsonl, validation.jsonl, heldout.jsonl and baseline-system-prompt.txt, as
// examples/data/nl2query does (the default). validate for the section's base model → baseline: the base model with
// the engineered prompt answers the held-out questions (on vLLM for ray and kubeflow), before anything is uploaded →
// upload → submit the training job (its name comes from the run's key, so a lost reply never makes a second job) →
// wait, with progress and loss → the tuned adapter answers the same questions → gate: it must beat the baseline by 5
// points → deploy (load the adapter on vLLM) only if the gate passed.
//
// Without a cluster (nothing listening at the configured dashboard, API server or vLLM) it prints one line saying
// what it could not reach and exits with status 3; nothing is trained. If the script stops, run it again with
// --resume RUN_ID: the run goes on with the job it already has. Exit status: 0 deployed, 1 dataset errors, job not
// succeeded or gate blocked, 2 bad input or missing setup, 3 engine unreachable or failed.

var args = Script.args();

int status = Script.run(() -> {
  Path home = Path.of(System.getProperty("tunekit.home", "."));
  Path config = Path.of(args.option("config").orElse(home.resolve("jshell-scripts/selfhosted.yaml").toString()));
  Path data = args.positional().isEmpty() ? home.resolve("examples/data/nl2query") : Path.of(args.positional().get(0));
  for (String f : List.of("train.jsonl", "validation.jsonl", "heldout.jsonl", "baseline-system-prompt.txt")) {
    if (!Files.isRegularFile(data.resolve(f))) {
      throw new InvalidInputException("DATA_DIR must hold " + f + "; usage: jshell-scripts/tunekit selfhosted.jsh"
          + " [--config FILE] [DATA_DIR] [--resume RUN_ID]", data.resolve(f).toString());
    }
  }
  Tunekit.Builder builder = Tunekit.builder().configFile(config);
  if (args.option("config").isEmpty()) {
    // The shipped config lives in the clone; keep the ledger and work files in the current directory, not beside it.
    builder.workDir(Path.of(Optional.ofNullable(System.getenv("TUNEKIT_WORK_DIR")).orElse(".tunekit")).toAbsolutePath());
  }
  try (Tunekit tk = builder.build()) {
    if (!List.of("ray", "kubeflow", "local").contains(tk.provider())) {
      throw new InvalidInputException("selfhosted.jsh trains on ray, kubeflow or local, but " + config + " chooses '"
          + tk.provider() + "'; set TUNEKIT_PROVIDER or the file's provider: line to one of them", config.toString());
    }
    // Before anything is recorded or sent: are the engine's servers there? (The embedded local one needs no check.)
    tk.checkReachable();
    Run run;
    if (args.option("resume").isPresent()) {
      run = tk.resume(args.option("resume").get());
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ") on " + tk.provider());
    } else {
      // The base model is the chosen section's model: the script names none, so the config alone switches engine.
      FineTune fineTune = tk.fineTune()
          .trainingData(data.resolve("train.jsonl"))
          .validationData(data.resolve("validation.jsonl"))
          .suffix("selfhosted")
          .evaluateWith(EvalSuite.load(data.resolve("heldout.jsonl"))
              .withGrader(Graders.exactMatch(Normalization.TRIM, Normalization.COLLAPSE_WHITESPACE)))
          .baselinePrompt(Files.readString(data.resolve("baseline-system-prompt.txt")))
          .hyperparameters(h -> h.epochs(2))
          .gate(0.05);
      // start() validates the data for this engine and checks the whole plan offline (a bad line, setting or
      // missing credential stops the run here, before the baseline and any upload), then runs the baseline.
      System.out.println("Training on " + tk.provider() + " (" + config + ")");
      run = fineTune.start();
      System.out.println("Run " + run.id() + " submitted as job " + run.info().jobId().orElse("?")
          + ". If this stops, run the script again with --resume " + run.id());
    }
    RunResult result = run.await(RunListener.progress());
    if (!result.succeeded()) {
      System.err.println("error: " + result.failureReason().orElse(result.state().toString()));
      return 1;
    }
    var gate = run.gate().orElseThrow(() -> new TunekitException("no gate result was recorded; see the log above"));
    System.out.println("Gate: " + gate.message());
    if (!gate.passed()) {
      System.out.println("not deployed: the tuned model did not beat the baseline by enough");
      return 1;
    }
    Deployment deployment = run.deploy();
    System.out.println("Deployed: ask it as model " + deployment.inferenceModel());
    return 0;
  }
});

/exit status
