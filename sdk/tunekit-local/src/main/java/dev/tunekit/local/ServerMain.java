package dev.tunekit.local;

import dev.tunekit.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The standalone command line of {@link LocalServer#main(String[])}. */
final class ServerMain {
  private ServerMain() {}

  static final String USAGE = String.join("\n",
      "usage: java -jar tunekit-local-<version>-server.jar [options] [-- training command...]",
      "  --data-dir DIR      files, jobs and models (default ./tunekit-local-data)",
      "  --port N            port (default 8484; 0 picks a free one)",
      "  --host ADDR         bind address (default 127.0.0.1, loopback only)",
      "  --step-delay MS     pause between training steps in ms (default 20)",
      "  --trainer NAME      exemplar (default) or command",
      "  --token-file FILE   where to write the API token (default DATA_DIR/server.token)",
      "The API token is TUNEKIT_LOCAL_TOKEN if set, otherwise the one kept in DATA_DIR/server.token\n"
      + "(generated owner-only at the first start and kept across restarts).");

  static void run(String[] args) throws IOException, InterruptedException {
    // The standalone jar logs through slf4j-simple: Jetty's start/stop lines stay below the console's
    // level unless asked for (-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=info).
    if (System.getProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    }
    Path dataDir = Path.of("tunekit-local-data");
    int port = 8484;
    String host = "127.0.0.1";
    long delay = 20;
    String trainerName = "exemplar";
    Path tokenFile = null;
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        command.addAll(Arrays.asList(args).subList(i + 1, args.length));
        break;
      }
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= args.length) {
        fail("option " + a + " needs a value");
      }
      String v = args[++i];
      try {
        switch (a) {
          case "--data-dir": dataDir = Path.of(v); break;
          case "--port": port = Integer.parseInt(v); break;
          case "--host": host = v; break;
          case "--step-delay": delay = Long.parseLong(v); break;
          case "--trainer": trainerName = v; break;
          case "--token-file": tokenFile = Path.of(v); break;
          default: fail("unknown option " + a);
        }
      } catch (NumberFormatException e) {
        fail("option " + a + " needs a whole number, got " + v);
      }
    }
    Trainer trainer;
    if (trainerName.equals("exemplar")) {
      trainer = Trainer.exemplar();
    } else if (trainerName.equals("command")) {
      if (command.isEmpty()) {
        fail("--trainer command needs the command after --, e.g. -- python train.py");
      }
      trainer = Trainer.command(command);
    } else {
      fail("--trainer must be exemplar or command, got " + trainerName);
      return;
    }
    LocalServer.Builder b = LocalServer.builder().dataDir(dataDir).host(host).port(port)
        .stepDelay(Duration.ofMillis(delay)).trainer(trainer);
    LocalServer.env("TUNEKIT_LOCAL_TOKEN").map(Secret::of).ifPresent(b::token);
    LocalServer server;
    try {
      server = b.start();
    } catch (RuntimeException e) {
      System.err.println("tunekit-local: " + e.getMessage());
      System.exit(1);
      return;
    }
    Path tf = tokenFile != null ? tokenFile : server.dataDir().resolve("server.token");
    try {
      writeOwnerOnly(tf, server.token().reveal() + "\n");
    } catch (IOException e) {
      server.close();
      fail("cannot write the API token to " + tf + " (" + e.getMessage() + "); choose another --token-file");
      return;
    }
    System.out.println("Tunekit local server listening on " + server.baseUrl());
    System.out.println("Data directory: " + server.dataDir().toAbsolutePath());
    System.out.println("API token written to " + tf.toAbsolutePath() + " (use it as the API key: "
        + "export OPENAI_API_KEY=$(cat " + tf.toAbsolutePath() + "))");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }));
    stop.await();
  }

  /** Writes a file that is owner-only from its creation (never briefly readable by others). */
  static void writeOwnerOnly(Path file, String content) throws IOException {
    if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
      return; // the token kept in the data directory: already there
    }
    Store.writeOwnerOnly(file, content);
  }

  private static void fail(String message) {
    System.err.println("tunekit-local: " + message + "\n" + USAGE);
    System.exit(2);
  }
}
