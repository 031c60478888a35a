// Tunes Gemini on Google Vertex AI through the whole eval-gated workflow, from JShell:
//
//   jshell-scripts/tunekit vertex.jsh [DATA_DIR] [--model M] [--epochs N] [--resume RUN_ID]
//
// DATA_DIR holds train.jsonl, validation.jsonl, heldout.jsonl and baseline-system-prompt.txt, as
// examples/data/nl2query does (the default, when run from the repository root). validate for Vertex →
// baseline: the prompt-engineered base model answers the held-out questions through generateContent,
// before anything is uploaded or paid for → convert to Gemini tuning JSONL and upload to
// gs://BUCKET/PREFIX/<sha256>.jsonl → create the tuning job (labelled with the run's key) → wait, with
// progress → the tuned model's endpoint answers the same questions → gate: it must beat the baseline by
// 5 points → "deploy" (the endpoint Vertex created for the job; no further call) only if it passed.
// The default model is gemini-2.5-flash.
//
// Environment:
//   Application Default Credentials  GOOGLE_APPLICATION_CREDENTIALS (a service account key file), or
//                     `gcloud auth application-default login` (writes ~/.config/gcloud/application_default_credentials.json).
//   TUNEKIT_VERTEX_PROJECT   required (or GOOGLE_CLOUD_PROJECT): the project id that runs the job.
//   TUNEKIT_VERTEX_BUCKET    required: a Cloud Storage bucket the Vertex AI service agent can read.
//   TUNEKIT_VERTEX_LOCATION  optional region (default us-central1).
//   TUNEKIT_VERTEX_PREFIX    optional folder in the bucket (default "tunekit").
// When any of these is missing the script prints one line naming what to set and exits with status 2,
// before anything is built or sent (it never asks the metadata server).
//
// A paid job is created once: the run is recorded in the ledger before anything is uploaded, and after a
// lost reply the job is looked up by its label before any retry. If the script stops, run it again with
// --resume RUN_ID. Exit status: 0 done, 1 dataset errors, job not succeeded or gate blocked, 2 bad input
// or missing setup, 3 provider failure.

var args = Script.args();

int status = Script.run(() -> {
  Map<String, String> env = System.getenv();
  java.util.function.Predicate<String> set = name -> env.get(name) != null && !env.get(name).isBlank();
  Path gcloud = set.test("CLOUDSDK_CONFIG") ? Path.of(env.get("CLOUDSDK_CONFIG"))
      : Path.of(System.getProperty("user.home"), ".config", "gcloud");
  boolean adc = set.test("GOOGLE_APPLICATION_CREDENTIALS")
      || Files.isRegularFile(gcloud.resolve("application_default_credentials.json"));
  String project = set.test("TUNEKIT_VERTEX_PROJECT") ? env.get("TUNEKIT_VERTEX_PROJECT").trim()
      : set.test("GOOGLE_CLOUD_PROJECT") ? env.get("GOOGLE_CLOUD_PROJECT").trim() : null;
  List<String> missing = new ArrayList<>();
  if (!adc) {
    missing.add("Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, or run gcloud auth application-default login)");
  }
  if (project == null) {
    missing.add("TUNEKIT_VERTEX_PROJECT (the Google Cloud project id)");
  }
  if (!set.test("TUNEKIT_VERTEX_BUCKET")) {
    missing.add("TUNEKIT_VERTEX_BUCKET (a Cloud Storage bucket for the training data)");
  }
  if (!missing.isEmpty()) {
    System.err.println("vertex.jsh cannot run: set " + String.join(", ", missing)
        + "; see the comment at the top of jshell-scripts/vertex.jsh.");
    return 2;
  }

  String model = args.option("model").orElse("gemini-2.5-flash");
  Path data = args.positional().isEmpty()
      ? Path.of(System.getProperty("tunekit.home", "."), "examples/data/nl2query") : Path.of(args.positional().get(0));
  for (String f : List.of("train.jsonl", "validation.jsonl", "heldout.jsonl", "baseline-system-prompt.txt")) {
    if (!Files.isRegularFile(data.resolve(f))) {
      throw new InvalidInputException("DATA_DIR must hold " + f + "; usage: jshell-scripts/tunekit vertex.jsh DATA_DIR",
          data.resolve(f).toString());
    }
  }
  Tunekit.Builder builder = Tunekit.builder().provider("vertex")
      .setting("project", project)
      .setting("bucket", "${TUNEKIT_VERTEX_BUCKET}")
      .setting("location", "${TUNEKIT_VERTEX_LOCATION:-us-central1}")
      .setting("prefix", "${TUNEKIT_VERTEX_PREFIX:-tunekit}");
  try (Tunekit tk = builder.build()) {
    Run run;
    if (args.option("resume").isPresent()) {
      run = tk.resume(args.option("resume").get());
      System.out.println("Resumed run " + run.id() + " (" + run.state() + ")");
    } else {
      System.out.println("Validating " + data.resolve("train.jsonl") + " for " + model + " on Vertex AI ...");
      DatasetReport report = Dataset.of(data.resolve("train.jsonl")).validate(new ValidationOptions("vertex", model));
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
          .suffix("vertex-jsh")
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
      System.out.println("not deployed: the tuned model did not beat the baseline by enough");
      return 1;
    }
    var deployment = run.deploy();
    System.out.println("Tuned endpoint (serving since the job succeeded): " + deployment.inferenceModel());
    return 0;
  }
});

/exit status
