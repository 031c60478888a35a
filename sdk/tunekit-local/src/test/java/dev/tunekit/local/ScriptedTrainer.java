package dev.tunekit.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A trainer a test drives step by step: each job waits for commands (one step of metrics, succeed,
 * fail), so the real local server holds a job running, or moves it on, exactly when the test says.
 */
final class ScriptedTrainer implements Trainer {
  enum Command { STEP, SUCCEED, FAIL }

  private record Order(Command command, CompletableFuture<Void> done) {}

  private final Map<String, BlockingQueue<Order>> queues = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "tck-scripted";
  }

  private BlockingQueue<Order> queue(String jobId) {
    return queues.computeIfAbsent(jobId, k -> new LinkedBlockingQueue<>());
  }

  /** Sends {@code command} to the job's training and waits until the trainer has carried it out. */
  void send(String jobId, Command command) {
    Order o = new Order(command, new CompletableFuture<>());
    queue(jobId).add(o);
    try {
      o.done().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the scripted trainer did not carry out " + command + " for " + jobId, e);
    }
  }

  @Override
  public Path train(TrainingContext context) throws Exception {
    long step = 0;
    while (true) {
      Order o = queue(context.jobId()).take(); // a cancel interrupts this
      switch (o.command()) {
        case STEP -> {
          step++;
          context.metrics(step, Map.of("train_loss", 1.0 / step));
          o.done().complete(null);
        }
        case SUCCEED -> {
          Path model = Files.writeString(context.outputDir().resolve("model.txt"), "scripted");
          o.done().complete(null);
          return model;
        }
        case FAIL -> {
          o.done().complete(null);
          throw new IllegalStateException("scripted training failure");
        }
      }
    }
  }
}
