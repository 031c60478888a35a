package dev.tunekit.ray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The zip packages Tunekit puts in Ray's package store ({@code gcs://_ray_pkg_<hash>.zip}, the store Ray's own job
 * client uses for {@code runtime_env.working_dir} and {@code py_modules}). Entries are written in a fixed order with
 * a fixed time, so the same content makes the same bytes and the same name.
 */
final class Packages {
  static final String LAUNCHER = "tunekit_ray_launch.py";
  static final String TRAINER = "tunekit_train.py";
  /** The file name of the data inside a dataset package's directory. */
  static final String DATA = "data.jsonl";
  private static final long FIXED_TIME = 315_532_800_000L; // 1980-01-01, the zip format's epoch

  private Packages() {}

  /** The working_dir package: the launcher and the shipped trainer, read from this jar. */
  static byte[] code() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(LAUNCHER, resource(LAUNCHER));
    files.put(TRAINER, resource(TRAINER));
    return zip(files);
  }

  /** A dataset package: {@code <module>/data.jsonl} holding {@code file}. */
  static byte[] data(String module, Path file) {
    try {
      return zip(Map.of(module + "/" + DATA, Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to upload it to Ray", e);
    }
  }

  /** The name of the code package, from its bytes. */
  static String codeName(byte[] zip) {
    return "_ray_pkg_" + Names.sha256(zip).substring(0, 32) + ".zip";
  }

  private static byte[] resource(String name) {
    try (InputStream in = Packages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from tunekit-ray's jar (the build copies it from trainers/trl)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] zip(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        ZipEntry e = new ZipEntry(f.getKey());
        e.setTime(FIXED_TIME);
        z.putNextEntry(e);
        z.write(f.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
