package dev.tunekit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line contract of the TRL trainer shipped in {@code trainers/trl/tunekit_train.py}, which
 * the command trainer of this module runs: the script byte-compiles, and {@code --dry-run} accepts the
 * bundled data and rejects bad files and hyperparameters with exit code 2 and an error naming file:line.
 * No GPU and no ML library here: every dry run has a {@code PYTHONPATH} whose {@code torch},
 * {@code transformers}, {@code trl}, {@code peft} and {@code datasets} raise when imported, so the
 * dry run provably imports none of them. Needs {@code python3} (3.8 or later) on the PATH.
 */
class TrlTrainerContractTest {
  static final Path TRAINER_DIR = Path.of("../../trainers/trl").toAbsolutePath().normalize();
  static final Path SCRIPT = TRAINER_DIR.resolve("tunekit_train.py");
  static final Path PREFERENCES = TRAINER_DIR.resolve("sample/preference.jsonl");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAT_LINE =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}]}";
  private static final String PAIR_LINE = "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],"
      + "\"chosen\":[{\"role\":\"assistant\",\"content\":\"good\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"bad\"}]}";

  @TempDir Path dir;
  private static Path poison;
  private static String python;

  record Result(int exit, String stdout, String stderr) {}

  @BeforeAll
  static void python3AndPoisonedMlModules(@TempDir Path shared) throws Exception {
    try {
      // the interpreter itself, not a version-manager shim that costs a second per start
      Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
      python = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || python.isEmpty()) {
        fail("python3 failed to start: CI needs python3 on the PATH to test trainers/trl/tunekit_train.py");
      }
    } catch (IOException e) {
      fail("python3 is not on the PATH: CI needs python3 to test the contract of trainers/trl/tunekit_train.py ("
          + e.getMessage() + ")");
    }
    poison = Files.createDirectories(shared.resolve("poisoned-ml"));
    for (String module : List.of("torch", "transformers", "trl", "peft", "datasets", "accelerate")) {
      Files.writeString(poison.resolve(module + ".py"),
          "raise RuntimeError('the dry run imported " + module + "')\n", StandardCharsets.UTF_8);
    }
  }

  static Result run(Map<String, String> env, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(python, SCRIPT.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("TUNEKIT_") || k.startsWith("PYTHON"));
    pb.environment().put("PYTHONPATH", poison.toString());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("tunekit_train.py did not finish in 30 s: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private List<String> dryRun(String... more) {
    List<String> args = new ArrayList<>(List.of("--dry-run", "--base-model", "Qwen/Qwen2.5-0.5B-Instruct",
        "--output-dir", dir.resolve("out").toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static JsonNode onlyLine(Result r) throws IOException {
    assertThat(r.stdout().strip().lines()).as("stdout: one JSON line").hasSize(1);
    JsonNode node = JSON.readTree(r.stdout());
    assertThat(node.path("tunekit").asText()).isEqualTo("dry_run");
    assertThat(node.path("ok").asBoolean()).isTrue();
    return node;
  }

  @Test
  void scriptsByteCompile() throws Exception {
    // py_compile as `python3 -m py_compile` runs it, with the .pyc files written to a temporary directory
    for (String name : List.of("tunekit_train.py", "smoke_cpu.py")) {
      Path pyc = dir.resolve(name + "c");
      Process p = new ProcessBuilder(python, "-c",
          "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
          TRAINER_DIR.resolve(name).toString(), pyc.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(name + ": " + out).isZero();
      assertThat(pyc).exists();
    }
  }

  @Test
  void dryRunAcceptsTheBundledChatDataWithoutImportingAnyMlLibrary() throws Exception {
    Result r = run(Map.of(), dryRun("--train-file", Fixtures.TRAIN.toString(),
        "--validation-file", Fixtures.VALIDATION.toString(), "--epochs", "2", "--learning-rate", "1e-4",
        "--batch-size", "8", "--lora-r", "8", "--lora-alpha", "16", "--seed", "7",
        "--extra", "warmup_ratio=0.03", "--extra", "peft.target_modules=[\"q_proj\",\"v_proj\"]"));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).isEmpty();
    JsonNode line = onlyLine(r);
    assertThat(line.path("method").asText()).isEqualTo("sft");
    assertThat(line.at("/train/examples").asInt()).isEqualTo(300);
    assertThat(line.at("/train/items").asInt()).isEqualTo(300);
    assertThat(line.at("/validation/examples").asInt()).isEqualTo(40);
    assertThat(line.at("/hyperparameters/epochs").asInt()).isEqualTo(2);
    assertThat(line.at("/hyperparameters/learning_rate").asDouble()).isEqualTo(1e-4);
    assertThat(line.at("/hyperparameters/batch_size").asInt()).isEqualTo(8);
    assertThat(line.at("/hyperparameters/lora_r").asInt()).isEqualTo(8);
    assertThat(line.at("/hyperparameters/seed").asInt()).isEqualTo(7);
    assertThat(line.at("/extras/warmup_ratio").asDouble()).isEqualTo(0.03);
    assertThat(line.at("/peft_extras/target_modules/1").asText()).isEqualTo("v_proj");
  }

  @Test
  void dryRunAcceptsTheSamplePreferencePairsForDpo() throws Exception {
    Result r = run(Map.of(), dryRun("--method", "dpo", "--train-file", PREFERENCES.toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    JsonNode line = onlyLine(r);
    assertThat(line.path("method").asText()).isEqualTo("dpo");
    assertThat(line.at("/train/items").asInt()).isEqualTo(8);
    assertThat(line.at("/hyperparameters/learning_rate").asDouble()).isEqualTo(5e-6);
  }

  /** tunekit-local's command trainer passes its settings as TUNEKIT_* variables, "auto" when unset. */
  @Test
  void readsTheCommandTrainersEnvironment() throws Exception {
    Result r = run(Map.of("TUNEKIT_BASE_MODEL", "my/base", "TUNEKIT_TRAINING_FILE", Fixtures.TRAIN.toString(),
        "TUNEKIT_VALIDATION_FILE", "", "TUNEKIT_OUTPUT_DIR", dir.resolve("job").toString(),
        "TUNEKIT_N_EPOCHS", "5", "TUNEKIT_BATCH_SIZE", "auto", "TUNEKIT_LEARNING_RATE_MULTIPLIER", "0.5",
        "TUNEKIT_SEED", "99"), List.of("--dry-run"));
    assertThat(r.exit()).as(r.stderr()).isZero();
    JsonNode line = onlyLine(r);
    assertThat(line.path("base_model").asText()).isEqualTo("my/base");
    assertThat(line.path("validation").isMissingNode()).isTrue();
    assertThat(line.at("/hyperparameters/epochs").asInt()).isEqualTo(5);
    assertThat(line.at("/hyperparameters/batch_size").asInt()).isEqualTo(4);
    assertThat(line.at("/hyperparameters/learning_rate").asDouble()).isEqualTo(1e-4);
    assertThat(line.at("/hyperparameters/seed").asInt()).isEqualTo(99);
  }

  /** Each bad line, one per problem, in one run (a run costs a Python start). */
  @Test
  void everyBadChatLineFailsNamingFileAndLine() throws Exception {
    assertBadLines("sft", List.of(
        CHAT_LINE,
        "{\"messages\":[{\"role\":\"user\",",
        "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\"}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\",\"weight\":0.5}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\",\"weight\":0}]}",
        PAIR_LINE,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":7}]}",
        CHAT_LINE), List.of(
        ":2: not valid JSON",
        ":3: messages[0] has role \"wizard\"; use system, user, assistant",
        ":4: messages[1] weight is 0.5; use 0 (context only) or 1 (trained)",
        ":5: every assistant message has weight 0, so this example trains nothing",
        ":6: a preference pair, but --method sft trains on chat examples",
        ":7: messages[1].content must be a string"));
  }

  @Test
  void everyBadPreferenceLineFailsNamingFileAndLine() throws Exception {
    assertBadLines("dpo", List.of(
        PAIR_LINE,
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}]}",
        "{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]},\"preferred_output\":[{\"role\":\"assistant\",\"content\":\"a\"}]}",
        CHAT_LINE,
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"chosen\":[{\"role\":\"user\",\"content\":\"a\"}],\"rejected\":\"b\"}",
        PAIR_LINE), List.of(
        ":2: the preference pair has no \"rejected\"",
        ":3: the preference pair has no \"non_preferred_output\"",
        ":4: a chat example, but --method dpo trains on preference pairs",
        ":5: chosen[0] has role \"user\"; use assistant"));
  }

  private void assertBadLines(String method, List<String> lines, List<String> expected) throws Exception {
    Path file = dir.resolve(method + "-bad.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    Result r = run(Map.of(), dryRun("--method", method, "--train-file", file.toString()));
    assertThat(r.exit()).as(r.stdout() + r.stderr()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    List<String> errors = r.stderr().strip().lines().toList();
    assertThat(errors).as("one line per problem: " + r.stderr()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(errors.get(i)).startsWith("tunekit_train: error: " + file + expected.get(i));
    }
    assertThat(r.stderr()).doesNotContain("Traceback");
  }

  @Test
  void everyBadLineOfAValidationFileIsReported() throws Exception {
    Path file = dir.resolve("valid.jsonl");
    Files.writeString(file, CHAT_LINE + "\nnot json\n" + CHAT_LINE + "\n[1]\n", StandardCharsets.UTF_8);
    Result r = run(Map.of(), dryRun("--train-file", Fixtures.TRAIN.toString(), "--validation-file", file.toString()));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr().strip().lines()).hasSize(2);
    assertThat(r.stderr()).contains(file + ":2: not valid JSON").contains(file + ":4: each line must be a JSON object");
  }

  /** Every out-of-range setting is reported, one line each, in one run. */
  @Test
  void outOfRangeSettingsFailNamingTheOption() throws Exception {
    Result r = run(Map.of(), dryRun("--train-file", Fixtures.TRAIN.toString(), "--epochs", "0",
        "--learning-rate", "2", "--batch-size", "2.5", "--lora-r", "4096", "--lora-alpha", "-1", "--seed", "-3",
        "--quantization", "8bit", "--extra", "warmup"));
    assertThat(r.exit()).as(r.stdout()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr().strip().lines()).hasSize(8).allSatisfy(l -> assertThat(l).startsWith("tunekit_train: error: --"));
    assertThat(r.stderr()).contains("--epochs must be >= 1 and <= 50, was 0",
        "--learning-rate must be > 0 and < 1, was 2", "--batch-size must be an integer, was '2.5'",
        "--lora-r must be >= 1 and <= 1024, was 4096", "--lora-alpha must be > 0", "--seed must be >= 0",
        "--quantization must be none or 4bit, was '8bit'", "--extra 'warmup' must be KEY=VALUE");
    Result method = run(Map.of(), dryRun("--train-file", Fixtures.TRAIN.toString(), "--method", "ppo"));
    assertThat(method.exit()).isEqualTo(2);
    assertThat(method.stderr()).isEqualTo("tunekit_train: error: --method must be sft or dpo, was 'ppo'\n");
  }

  @Test
  void missingFilesAndUnknownOptionsAreOneLineErrors() throws Exception {
    Result missing = run(Map.of(), dryRun("--train-file", dir.resolve("nope.jsonl").toString()));
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.stderr()).contains("nope.jsonl: cannot read the training file");
    Result unknown = run(Map.of(), dryRun("--train-file", Fixtures.TRAIN.toString(), "--bogus"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.stderr().strip().lines()).hasSize(1);
    assertThat(unknown.stderr()).contains("unrecognized arguments: --bogus");
    Result noBase = run(Map.of(), List.of("--dry-run", "--train-file", Fixtures.TRAIN.toString(),
        "--output-dir", dir.toString()));
    assertThat(noBase.exit()).isEqualTo(2);
    assertThat(noBase.stderr()).contains("--base-model is required (or set TUNEKIT_BASE_MODEL)");
    // what tunekit-local's server passes when the command does not name the model
    Result standIn = run(Map.of("TUNEKIT_BASE_MODEL", "local-base"), List.of("--dry-run", "--train-file",
        Fixtures.TRAIN.toString(), "--output-dir", dir.toString()));
    assertThat(standIn.exit()).isEqualTo(2);
    assertThat(standIn.stderr()).contains("--base-model is local-base, tunekit-local's stand-in model")
        .contains("such as --base-model Qwen/Qwen2.5-0.5B-Instruct");
  }

  /**
   * The command trainer runs the script as the module README configures it (with --dry-run): it gets
   * its files and output directory from the TUNEKIT_* environment and its JSON line comes back as an
   * event (cut at 500 characters, as every event).
   * The trainer directly, not through the server, to keep this cheap (the server's part is
   * CommandTrainerTest's).
   */
  @Test
  void theCommandTrainerRunsTheScript() throws Exception {
    List<String> command = List.of("/usr/bin/env", "PYTHONPATH=" + poison, python, SCRIPT.toString(),
        "--base-model", "Qwen/Qwen2.5-0.5B-Instruct", "--lora-r", "8", "--dry-run");
    List<String> logged = new ArrayList<>();
    Path out = Files.createDirectories(dir.resolve("job-out"));
    Path model = Trainer.command(command).train(new CommandTrainerTest.RecordingContext(logged, new ArrayList<>(), out));
    assertThat(model).isEqualTo(out);
    assertThat(logged).anySatisfy(line -> assertThat(line).contains("\"tunekit\":\"dry_run\"",
        "\"file\":\"" + Fixtures.TRAIN + "\",\"examples\":300", "\"file\":\"" + Fixtures.VALIDATION + "\"",
        "\"base_model\":\"Qwen/Qwen2.5-0.5B-Instruct\"", "\"output_dir\":\"" + out + "\""));
  }

  /** tunekit-local passes the run's hyperparameter extras as TUNEKIT_EXTRAS (a JSON object); --extra wins over it. */
  @Test
  void extrasFromTheEnvironmentArePassedThrough_andTheCommandLineWins() throws Exception {
    Result r = run(Map.of("TUNEKIT_EXTRAS", "{\"warmup_ratio\": 0.03, \"lr_scheduler_type\": \"cosine\", \"peft.lora_dropout\": 0.1}"),
        dryRun("--train-file", Fixtures.TRAIN.toString(), "--extra", "lr_scheduler_type=linear"));
    assertThat(r.exit()).as(r.stderr()).isZero();
    JsonNode line = onlyLine(r);
    assertThat(line.toString()).contains("\"warmup_ratio\":0.03", "\"lr_scheduler_type\":\"linear\"",
        "\"lora_dropout\":0.1");
    Result bad = run(Map.of("TUNEKIT_EXTRAS", "[1]"), dryRun("--train-file", Fixtures.TRAIN.toString()));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.stderr()).contains("TUNEKIT_EXTRAS must be a JSON object");
  }

  /** Without --dry-run the script goes on to import the ML stack; a missing package is exit 3, one line. */
  @Test
  void aMissingMlPackageIsExitThreeNamingThePinnedRequirements() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("no-ml"));
    Files.writeString(empty.resolve("torch.py"), "raise ImportError('no torch here', name='torch')\n");
    Result r = run(Map.of("PYTHONPATH", empty.toString()), List.of("--base-model", "m", "--train-file",
        Fixtures.TRAIN.toString(), "--output-dir", dir.resolve("out").toString()));
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.stderr().strip().lines()).hasSize(1);
    assertThat(r.stderr()).contains("'torch' is missing").contains("trainers/trl/requirements.txt");
  }
}
