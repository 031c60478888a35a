// Fine-tunes a model on OpenAI end to end, from JShell:
//
//   jshell-scripts/tunekit openai.jsh [DATASET] [--model M] [--epochs N] [--suffix S] [--prompt TEXT]
//
// validate DATASET (a chat JSONL file; default: the example widget-chat-train.jsonl of this
// repository) → upload it and submit the job → wait, drawing progress → print the tuned model →
// ask it one question (--prompt, default the dataset's first user message).
//
// Environment:
//   OPENAI_API_KEY   required. The script stops with one line and status 2 when it is not set.
//   OPENAI_BASE_URL  optional: the API base URL, as in OpenAI's own SDKs (such as a gateway or proxy in
//                    front of OpenAI, or a self-hosted server speaking OpenAI's fine-tuning API);
//                    default https://api.openai.com/v1.
//   TUNEKIT_LEDGER / TUNEKIT_WORK_DIR  where the run ledger and converted files go (default .tunekit/).
//
// A paid job is submitted once: the run is recorded in the ledger before anything is uploaded, so if
// the script is interrupted, continue it in JShell with Tunekit.builder()...build().resume("run-…")
// (the run id is printed when the job is submitted). Exit status: 0 done, 1 dataset errors or the
// job did not succeed, 2 bad input, 3 provider failure.

var args = Script.args();

int status = Script.run(() -> {
  String key = System.getenv("OPENAI_API_KEY");
  if (key == null || key.isBlank()) {
    System.err.println("OPENAI_API_KEY is not set: export OPENAI_API_KEY=sk-... (an OpenAI API key with fine-tuning"
        + " access) and run the script again.");
    return 2;
  }
  String model = args.option("model").orElse("gpt-4o-mini-2024-07-18");
  Path example = Path.of(System.getProperty("tunekit.home", "."), "examples/src/main/resources/dev/tunekit/examples/eval/widget-chat-train.jsonl");
  if (args.positional().isEmpty() && !Files.isRegularFile(example)) {
    throw new InvalidInputException("no DATASET given (and the example " + example + " is not under the current"
        + " directory). Usage: jshell-scripts/tunekit openai.jsh DATASET [--model M] [--epochs N]");
  }
  Path data = args.positional().isEmpty() ? example : Path.of(args.positional().get(0));
  if (!Files.isRegularFile(data)) {
    throw new InvalidInputException("dataset file not found; check the path", data.toString());
  }
  Integer epochs = null;
  if (args.option("epochs").isPresent()) {
    try {
      epochs = Integer.valueOf(args.option("epochs").get().trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--epochs must be a whole number such as 3, was '" + args.option("epochs").get()
          + "'");
    }
  }

  // 1. Validate (nothing leaves the machine yet).
  System.out.println("Validating " + data + " for " + model + " ...");
  DatasetReport report = Dataset.of(data).validate(model);
  long errors = report.findings().stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
  System.out.println("  " + report.examples() + " examples (" + report.kind().name().toLowerCase() + "), " + errors
      + " errors, " + (report.findings().size() - errors) + " warnings");
  report.findings().stream().limit(20).forEach(f -> System.out.println("  " + f.severity() + " "
      + report.source() + (f.line() > 0 ? ":" + f.line() : "") + " " + f.code() + ": " + f.message()));
  if (report.hasErrors()) {
    System.out.println("Fix the errors above and run the script again; nothing was uploaded.");
    return 1;
  }

  Tunekit.Builder builder = Tunekit.builder().provider("openai").setting("apiKey", "${OPENAI_API_KEY}");
  String baseUrl = System.getenv("OPENAI_BASE_URL");
  if (baseUrl != null && !baseUrl.isBlank()) {
    builder.setting("baseUrl", baseUrl.trim());
  }
  try (Tunekit tk = builder.build()) {
    // 2. Upload and submit (once, recorded in the ledger).
    FineTune fineTune = tk.fineTune().model(model).trainingData(data);
    if (epochs != null) {
      int n = epochs;
      fineTune.hyperparameters(h -> h.epochs(n));
    }
    args.option("suffix").ifPresent(fineTune::suffix);
    Run run = fineTune.start();
    System.out.println("Run " + run.id() + " submitted as job " + run.info().jobId().orElse("?") + " (ledger "
        + tk.ledger() + "). If this stops, continue with tk.resume(\"" + run.id() + "\").");

    // 3. Wait, with progress.
    RunResult result = run.await(RunListener.console());
    if (!result.succeeded()) {
      try {
        result.orThrow();
      } catch (TunekitException e) {
        System.err.println("error: " + e.getMessage());
      }
      return 1;
    }
    String tuned = result.fineTunedModel().orElseThrow();
    System.out.println("Tuned model: " + tuned);

    // 4. One chat with the tuned model: the dataset's system prompt (if any) and --prompt, or its first question.
    List<ChatMessage> messages = new ArrayList<>();
    String firstQuestion = null;
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
      // not a chat line (a preference dataset, say): ask without a system prompt
    }
    String prompt = args.option("prompt").orElse(firstQuestion != null ? firstQuestion : "Hello! What can you do?");
    messages.add(ChatMessage.user(prompt));
    System.out.println("> " + prompt);
    ChatResponse reply = tk.chat(tuned, messages);
    System.out.println(reply.content());
    return 0;
  }
});

/exit status
