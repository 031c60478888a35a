package dev.tunekit.ray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tunekit.model.Hyperparameters;
import dev.tunekit.spi.JobRequest;
import dev.tunekit.spi.TrainingMethod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as Ray would run it, without Ray: the code package and a data package unzipped as Ray unpacks
 * {@code working_dir} and {@code py_modules} (the first is the current directory, the second on {@code PYTHONPATH}),
 * and the entrypoint Tunekit submits run by {@code sh -c} with the trainer's {@code --dry-run}: the launcher finds the
 * data, the trainer reads every line and prints its {@code dry_run} line. Needs {@code python3} on the PATH, as
 * tunekit-local's TrlTrainerContractTest does.
 */
class LauncherTest {
  @TempDir Path tmp;

  @Test
  void theSubmittedEntrypoint_findsTheDataPackage_andTheTrainerChecksIt() throws Exception {
    Path train = Path.of("../../examples/data/nl2query/train.jsonl");
    String pkg = Names.dataPackage(Names.sha256(Files.readAllBytes(train)));
    Path work = unzip(Packages.code(), tmp.resolve("working_dir"));
    Path modules = unzip(Packages.data(Names.dataModule(pkg), train), tmp.resolve("py_modules"));
    JobRequest req = JobRequest.builder().runId("r").idempotencyKey("k").baseModel("Qwen/Qwen2.5-0.5B-Instruct")
        .method(TrainingMethod.SUPERVISED).trainingFileId("gcs://" + pkg)
        .hyperparameters(Hyperparameters.builder().epochs(2).seed(7).extra("loraR", 8).build()).build();
    String entry = RayJobs.entrypoint(req, pkg, Optional.empty(), tmp.resolve("out").toString()).replaceFirst("^python ", "python3 ");

    Result ok = sh(entry + " --dry-run", work, modules);
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("\"tunekit\":\"dry_run\"").contains("\"examples\":300").contains("\"lora_r\":8").contains("\"seed\":7");

    Result missing = sh(entry + " --dry-run", work, tmp.resolve("empty"));
    assertThat(missing.code()).as(missing.out()).isEqualTo(2);
    assertThat(missing.out()).contains("tunekit_train: error: the dataset package " + Names.dataModule(pkg)
        + " is not on the Python path");
  }

  record Result(int code, String out) {}

  private static Result sh(String command, Path cwd, Path pythonPath) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().put("PYTHONPATH", pythonPath.toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      fail("sh or python3 is not on the PATH: this test runs the submitted entrypoint with python3 (" + e.getMessage() + ")");
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static Path unzip(byte[] zip, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        Path f = dir.resolve(e.getName()).normalize();
        Files.createDirectories(f.getParent());
        Files.write(f, in.readAllBytes());
      }
    }
    return dir;
  }
}
