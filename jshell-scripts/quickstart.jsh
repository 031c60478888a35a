// Tunekit's offline quickstart: the whole eval-gated workflow on the embedded `local` provider.
//
//   jshell-scripts/tunekit quickstart.jsh [--out DIR]
//
// validate → baseline evaluation (the prompt-engineered base model, before anything is paid for)
// → upload → submit → progress with loss → succeeded → the tuned model answers the same held-out
// questions → side-by-side table, gate, HTML report → deploy only if the gate passed.
// Every figure printed is computed by this run; nothing is typed in.
var args = Script.args();
int status = Script.run(() -> {
  Path home = Path.of(System.getProperty("tunekit.home", "."));
  Path data = home.resolve("examples/data/nl2query");
  Path out = Path.of(args.option("out").orElse("quickstart-output")).toAbsolutePath();
  Files.createDirectories(out);
  Path work = Files.createTempDirectory("tunekit-quickstart-");
  long started = System.nanoTime();

  System.out.println("== 1. Validate the training data (natural language -> shop query language)");
  var report = Dataset.of(data.resolve("train.jsonl")).validate(new ValidationOptions("local", "local-base"));
  report.print();
  if (report.hasErrors()) {
    return 1;
  }

  // The held-out questions are the eval suite: their assistant replies are the expected queries.
  var suite = EvalSuite.load(data.resolve("heldout.jsonl"))
      .withGrader(Graders.exactMatch(Normalization.TRIM, Normalization.COLLAPSE_WHITESPACE));

  try (var tk = Tunekit.builder().provider("local").workDir(work).build()) {
    System.out.println();
    System.out.println("== 2. Baseline first, then fine-tune (provider: " + tk.provider() + ")");
    var run = tk.fineTune()
        .model("local-base")
        .trainingData(data.resolve("train.jsonl"))
        .validationData(data.resolve("validation.jsonl"))
        .hyperparameters(h -> h.epochs(3))
        .suffix("quickstart")
        .evaluateWith(suite)
        .baselinePrompt(Files.readString(data.resolve("baseline-system-prompt.txt")))
        .gate(0.05)
        .start();
    var baseline = run.baselineReport().orElseThrow(
        () -> new TunekitException("the baseline was not evaluated; see the log above")).passRate();
    System.out.printf("baseline (prompt-engineered local-base): %d of %d held-out questions right%n",
        baseline.passed(), baseline.total());

    // progress(): the bar and a one-line outcome; the comparison and the gate are printed below, once.
    var result = run.await(RunListener.progress());
    if (!result.succeeded()) {
      System.out.println("the job did not succeed: " + result.status().map(JobStatus::raw).orElse("unknown"));
      return 1;
    }

    System.out.println();
    System.out.println("== 3. Baseline vs tuned on " + suite.cases().size() + " held-out questions");
    var comparison = run.evaluation().orElseThrow(
        () -> new TunekitException("the tuned model was not evaluated (" + result.state() + ": "
            + result.error().orElse("see the log above") + "); fix the cause, then run.evaluate(suite)"));
    var tuned = comparison.report("tuned").passRate();
    System.out.printf("%-40s %8s %8s%n", "model", "right", "of");
    System.out.printf("%-40s %8d %8d%n", "local-base + engineered prompt", baseline.passed(), baseline.total());
    System.out.printf("%-40s %8d %8d%n", run.fineTunedModel().orElse("tuned"), tuned.passed(), tuned.total());
    comparison.print();
    comparison.writeHtml(out.resolve("report.html"));
    comparison.writeJson(out.resolve("report.json"));
    comparison.writeJUnitXml(out.resolve("junit.xml"));   // for CI; summary.md for a pull-request comment
    comparison.writeMarkdown(out.resolve("summary.md"));
    System.out.println("HTML report (gate, run and training settings, pass rates, loss curve, every case): "
        + out.resolve("report.html"));

    var gate = run.gate().orElseThrow(() -> new TunekitException("no gate result was recorded; see the log above"));
    System.out.println();
    System.out.println("== 4. Gate: " + gate.message());
    if (!gate.passed()) {
      System.out.println("not deployed: the tuned model did not beat the baseline by enough");
      return 1;
    }
    var deployment = run.deploy();
    System.out.println("deployed: " + deployment.inferenceModel());
    var answer = tk.chat(deployment.inferenceModel(), List.of(
        ChatMessage.user("Show me electronics products under 50, cheapest first.")));
    System.out.println("ask it: Show me electronics products under 50, cheapest first.");
    System.out.println("   ->  " + answer.content());
    System.out.printf("%nquickstart finished in %.1f s (ledger and work files in %s)%n",
        (System.nanoTime() - started) / 1e9, work);
  }
  return 0;
});
/exit status
