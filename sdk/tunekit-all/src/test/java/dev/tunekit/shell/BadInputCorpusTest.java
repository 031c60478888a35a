package dev.tunekit.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.Tunekit;
import dev.tunekit.dataset.Dataset;
import dev.tunekit.dataset.DatasetReport;
import dev.tunekit.dataset.Finding;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.testing.FakeProvider;
import dev.tunekit.testing.FakeProvider.Op;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed datasets, configs and eval suites (files under {@code src/test/resources/bad-input};
 * the huge and deeply nested ones are generated here). Each must fail with an
 * {@link InvalidInputException} naming its file (and line, where there is one) and saying how to fix
 * it; through {@link Script#run} the user sees one line and no stack trace; and nothing reaches the
 * provider. Prints a summary of the figures.
 */
class BadInputCorpusTest {
  private static final String INSTANCE = "bad-input-corpus";
  private static final Pattern STACK_FRAME = Pattern.compile("\tat |^\\s+at [\\w.$]+\\(", Pattern.MULTILINE);
  private static final Pattern CLASS_NAME = Pattern.compile("\\w*Exception\\b|\\b[A-Z]\\w*Error\\b|\\bjava\\.\\w+\\.");

  @TempDir static Path work;
  static Path corpus;
  static FakeProvider fake;
  static final AtomicInteger inputs = new AtomicInteger();
  static final AtomicInteger clearErrors = new AtomicInteger();

  enum Kind { DATASET, CONFIG, EVAL }

  /**
   * One bad input.
   *
   * @param file the path under the corpus directory
   * @param line the line the error must name, or 0 when it can only name the file
   * @param code the dataset finding code expected (datasets with content errors), else null
   * @param fix words of the message that tell the user how to fix it
   */
  record Item(Kind kind, String file, int line, String code, String fix) {
    @Override
    public String toString() {
      return kind.name().toLowerCase() + " " + file;
    }
  }

  static Stream<Item> items() {
    return Stream.of(
        // datasets: run through FineTune.start() on the fake provider
        new Item(Kind.DATASET, "datasets/truncated.jsonl", 12, "invalid_json", null),
        new Item(Kind.DATASET, "datasets/invalid-utf8.jsonl", 5, "invalid_utf8", "re-encode the file as UTF-8"),
        new Item(Kind.DATASET, "datasets/huge-line.jsonl", 5, "line_too_long", null),
        new Item(Kind.DATASET, "datasets/deep-nesting.jsonl", 3, "too_deeply_nested", null),
        new Item(Kind.DATASET, "datasets/wrong-types.jsonl", 7, "content_not_string", null),
        new Item(Kind.DATASET, "datasets/messages-not-a-list.jsonl", 3, "missing_messages_list", null),
        new Item(Kind.DATASET, "datasets/missing-assistant.jsonl", 10, "example_missing_assistant_message", null),
        new Item(Kind.DATASET, "datasets/csv-instead-of-jsonl.jsonl", 1, "invalid_json", null),
        new Item(Kind.DATASET, "datasets/unknown-role.jsonl", 5, "unrecognized_role", null),
        new Item(Kind.DATASET, "datasets/duplicate-key.jsonl", 2, "duplicate_key", null),
        new Item(Kind.DATASET, "datasets/empty.jsonl", 0, "too_few_examples", null),
        new Item(Kind.DATASET, "datasets/unreadable.jsonl", 0, null, "is a directory, not a file"),
        new Item(Kind.DATASET, "datasets/missing.jsonl", 0, null, "check the path"),
        // configs: Tunekit.fromConfig
        new Item(Kind.CONFIG, "configs/truncated.yaml", 4, null, "check indentation and quoting"),
        new Item(Kind.CONFIG, "configs/wrong-type.yaml", 6, null, null),
        new Item(Kind.CONFIG, "configs/wrong-type-retry.yaml", 4, null, null),
        new Item(Kind.CONFIG, "configs/unknown-provider.yaml", 2, null, "Check the spelling"),
        new Item(Kind.CONFIG, "configs/missing-credentials.yaml", 4, null, "TUNEKIT_CORPUS_UNSET_OPENAI_KEY"),
        new Item(Kind.CONFIG, "configs/missing-apikey-setting.yaml", 0, null, "apiKey"),
        new Item(Kind.CONFIG, "configs/bedrock-missing-settings.yaml", 0, null, "bucket"),
        new Item(Kind.CONFIG, "configs/unknown-key.yaml", 2, null, "pollng"),
        new Item(Kind.CONFIG, "configs/not-a-mapping.yaml", 0, null, "must be a map"),
        new Item(Kind.CONFIG, "configs/invalid-utf8.yaml", 2, null, "re-encode the file as UTF-8"),
        new Item(Kind.CONFIG, "configs/deep-nesting.yaml", 0, null, "nesting depth"),
        new Item(Kind.CONFIG, "configs/huge-line.yaml", 0, null, "is this the right file?"),
        new Item(Kind.CONFIG, "configs/long-line.yaml", 1, null, "is this the right file?"),
        new Item(Kind.CONFIG, "configs/unreadable.yaml", 0, null, "is a directory"),
        new Item(Kind.CONFIG, "configs/missing.yaml", 0, null, "create it"),
        // eval suites: EvalSuite.load, then a run that would evaluate with it
        new Item(Kind.EVAL, "evals/truncated.jsonl", 2, null, null),
        new Item(Kind.EVAL, "evals/wrong-types.yaml", 6, null, null),
        new Item(Kind.EVAL, "evals/cases-not-a-list.yaml", 2, null, null),
        new Item(Kind.EVAL, "evals/missing-input.jsonl", 2, null, "input"),
        new Item(Kind.EVAL, "evals/duplicate-ids.jsonl", 2, null, "unique"),
        new Item(Kind.EVAL, "evals/empty.jsonl", 0, null, "add one JSON object per line"),
        new Item(Kind.EVAL, "evals/wrong-extension.txt", 0, null, "use a .jsonl, .yaml or .yml file"),
        new Item(Kind.EVAL, "evals/invalid-utf8.jsonl", 2, null, "re-encode the file as UTF-8"),
        new Item(Kind.EVAL, "evals/deep-nesting.jsonl", 1, null, null),
        new Item(Kind.EVAL, "evals/huge-line.jsonl", 1, null, null),
        new Item(Kind.EVAL, "evals/unreadable.jsonl", 0, null, "cannot read eval suite"),
        new Item(Kind.EVAL, "evals/missing.jsonl", 0, null, "check the path"));
  }

  @BeforeAll
  static void buildCorpus() throws IOException, URISyntaxException {
    fake = FakeProvider.register(INSTANCE, new FakeProvider());
    corpus = work.resolve("bad-input");
    Path resources = Path.of(BadInputCorpusTest.class.getResource("/bad-input").toURI());
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Path to = corpus.resolve(resources.relativize(p).toString());
        Files.createDirectories(to.getParent());
        Files.copy(p, to);
      }
    }
    // Generated: too big or too odd to keep in git.
    String good = goodLines(12);
    String[] lines = good.split("\n");
    lines[4] = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(17 << 20) + "\"}]}"; // 17 MiB line
    Files.writeString(corpus.resolve("datasets/huge-line.jsonl"), String.join("\n", lines) + "\n");
    lines = good.split("\n");
    lines[2] = "[".repeat(100_000);
    Files.writeString(corpus.resolve("datasets/deep-nesting.jsonl"), String.join("\n", lines) + "\n");
    Files.createDirectories(corpus.resolve("datasets/unreadable.jsonl")); // a directory where a file should be
    Files.writeString(corpus.resolve("configs/deep-nesting.yaml"), "provider: " + "[".repeat(20_000) + "\n");
    Files.writeString(corpus.resolve("configs/huge-line.yaml"), "provider: fake\nledger: '" + "x".repeat(25 << 20)
        + "'\n");
    Files.writeString(corpus.resolve("configs/long-line.yaml"), "# " + "x".repeat(1_000_000) // just under the limit
        + "\nprovider: fake\npolling: {timeout: banana}\n");
    Files.write(corpus.resolve("configs/invalid-utf8.yaml"),
        "provider: fake\nworkDir: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Files.createDirectories(corpus.resolve("configs/unreadable.yaml"));
    Files.writeString(corpus.resolve("evals/deep-nesting.jsonl"), "{\"id\":\"c1\",\"input\":" + "[".repeat(100_000)
        + "\n");
    Files.writeString(corpus.resolve("evals/huge-line.jsonl"), "{\"id\":\"c1\",\"input\":\"" + "x".repeat(25 << 20)
        + "\",\"expected\":\"4\"}\n");
    Files.createDirectories(corpus.resolve("evals/unreadable.jsonl"));
    Files.writeString(work.resolve("good.jsonl"), good);
  }

  @AfterAll
  static void summary() {
    int uploads = fake.calls(Op.UPLOAD);
    int jobs = fake.calls(Op.CREATE_JOB);
    FakeProvider.unregister(INSTANCE);
    System.out.printf("bad-input corpus: %d inputs, %d clear errors (InvalidInputException with location and fix,"
        + " one line through Script.run, no stack trace), %d uploads, %d job submissions%n",
        inputs.get(), clearErrors.get(), uploads, jobs);
    assertThat(uploads).isZero();
    assertThat(jobs).isZero();
    assertThat(clearErrors.get()).isEqualTo(inputs.get());
  }

  private static String goodLines(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append("{\"messages\":[{\"role\":\"system\",\"content\":\"You write SQL.\"},{\"role\":\"user\",\"content\":"
          + "\"question ").append(i).append("\"},{\"role\":\"assistant\",\"content\":\"SELECT ").append(i)
          .append("\"}]}\n");
    }
    return sb.toString();
  }

  private static Tunekit fakeTunekit(String name) {
    return Tunekit.builder().provider("fake").setting("apiKey", "sk-corpus").setting("instance", INSTANCE)
        .ledger(work.resolve("ledgers").resolve(name + ".db")).workDir(work.resolve("runs").resolve(name)).build();
  }

  /** What a user would do with the input: start a run with it. */
  private static void use(Item item, Path file) {
    switch (item.kind()) {
      case DATASET -> {
        try (Tunekit tk = fakeTunekit(file.getFileName().toString())) {
          tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(file).start();
        }
      }
      case CONFIG -> {
        try (Tunekit tk = Tunekit.fromConfig(file)) {
          tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(work.resolve("good.jsonl")).start();
        }
      }
      case EVAL -> {
        EvalSuite suite = EvalSuite.load(file).withGrader(Graders.exactMatch());
        try (Tunekit tk = fakeTunekit("eval-" + file.getFileName())) {
          tk.fineTune().model("gpt-4o-mini-2024-07-18").trainingData(work.resolve("good.jsonl")).evaluateWith(suite)
              .start();
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("items")
  void badInputGetsAClearErrorWithItsLocationAndNothingIsUploaded(Item item) {
    inputs.incrementAndGet();
    Path file = corpus.resolve(item.file());
    int uploadsBefore = fake.calls(Op.UPLOAD);
    int jobsBefore = fake.calls(Op.CREATE_JOB);

    // 1. The API: an InvalidInputException naming the file (and line) and saying what to do.
    assertThatThrownBy(() -> use(item, file)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      System.out.println(item + " -> " + e.getMessage().replace("\n", " | ").replaceAll("x{80,}", "xxx…"));
      String where = item.line() > 0 ? ":" + item.line() : "";
      assertThat(e.location()).as("location").hasValueSatisfying(l -> assertThat(l)
          .endsWith(file.getFileName() + where));
      if (item.code() != null) {
        assertThat(e.getMessage()).contains(item.code() + ": ");
      }
      if (item.fix() != null) {
        assertThat(e.getMessage()).contains(item.fix());
      }
      assertThat(e.getMessage()).as("one readable message").hasSizeLessThan(2_000);
    });

    // 2. The dataset report names the same finding (the non-throwing path: validate and print).
    if (item.code() != null) {
      DatasetReport report = Dataset.of(file).validate("gpt-4o-mini-2024-07-18");
      assertThat(report.findings()).anySatisfy(f -> {
        assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
        assertThat(f.code()).isEqualTo(item.code());
        assertThat(f.line()).isEqualTo(item.line());
      });
    }

    // 3. The user-facing entry point: one line, exit status 2, no stack trace, no exception class names.
    String printed = captured(() -> Script.run(() -> {
      use(item, file);
      return 0;
    }), 2);
    assertThat(printed).startsWith("error: ").contains(file.getFileName().toString());
    assertThat(STACK_FRAME.matcher(printed).find()).as("stack frame in %s", printed).isFalse();
    assertThat(CLASS_NAME.matcher(printed).find()).as("class name in %s", printed).isFalse();

    // 4. Nothing reached the provider.
    assertThat(fake.calls(Op.UPLOAD)).isEqualTo(uploadsBefore);
    assertThat(fake.calls(Op.CREATE_JOB)).isEqualTo(jobsBefore);
    clearErrors.incrementAndGet();
  }

  /** Runs {@code script} with standard output and error (log output included) captured; checks its status. */
  private static String captured(java.util.function.IntSupplier script, int expectedStatus) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int status;
    try {
      System.setOut(capture);
      System.setErr(capture);
      status = script.getAsInt();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    if (status != expectedStatus) {
      fail("exit status " + status + " instead of " + expectedStatus + "; printed: " + printed);
    }
    return printed;
  }
}
