package dev.tunekit.dataset;

import dev.tunekit.error.TunekitException;
import dev.tunekit.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams a dataset file through {@link ExampleChecker} and folds the results into a
 * {@link DatasetReport}. The calling thread reads ~1 MB batches of lines; worker threads check them;
 * results are merged in line order. At most {@code 2 × threads + 1} batches are in memory, so a file of
 * any size validates in constant memory.
 */
final class Validator {
  static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;
  static final int BATCH_BYTES = 1 << 20;
  private static final int HISTOGRAM_CAP = 1 << 18;

  private final ModelSpec spec;
  private final int maxFindingsPerCode;
  private final int epochsOverride;
  private final int maxLineBytes;
  private final int threads;

  Validator(ModelSpec spec, int maxFindingsPerCode, int epochsOverride, int maxLineBytes, int threads) {
    this.spec = spec;
    this.maxFindingsPerCode = maxFindingsPerCode;
    this.epochsOverride = epochsOverride;
    this.maxLineBytes = maxLineBytes;
    this.threads = Math.max(1, threads);
  }

  static int defaultThreads() {
    return Math.min(4, Runtime.getRuntime().availableProcessors());
  }

  DatasetReport validate(Path path) {
    ChatTokens tokens = ChatTokens.forEncoding(spec.encoding());
    Accumulator acc = new Accumulator();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "tunekit-dataset-check");
      t.setDaemon(true);
      return t;
    });
    try (InputStream in = Files.newInputStream(path); LineReader reader = new LineReader(in, maxLineBytes)) {
      ArrayDeque<Future<BatchResult>> pending = new ArrayDeque<>();
      LineBatch batch;
      while ((batch = reader.next(BATCH_BYTES)) != null) {
        LineBatch b = batch;
        pending.add(pool.submit(() -> new ExampleChecker(spec, tokens).check(b, maxLineBytes)));
        if (pending.size() > 2 * threads) {
          acc.merge(pending.poll().get());
        }
      }
      while (!pending.isEmpty()) {
        acc.merge(pending.poll().get());
      }
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("dataset file not found; check the path", path.toString(), e);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read the dataset: " + e.getMessage(), path.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidInputException("validation interrupted", path.toString(), e);
    } catch (ExecutionException e) {
      throw new TunekitException("checking " + path + " failed unexpectedly: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return acc.report(path, tokens.encodingName());
  }

  private static String kindName(byte k) {
    return k == BatchResult.KIND_CHAT ? "chat" : k == BatchResult.KIND_PREFERENCE ? "preference"
        : "prompt (reinforcement)";
  }

  /** Folds batch results in line order: counts per code, capped finding lists, token statistics. */
  private final class Accumulator {
    final List<Finding> kept = new ArrayList<>();
    final Map<String, Long> counts = new LinkedHashMap<>();
    final int[] histogram = new int[HISTOGRAM_CAP];
    byte kind = BatchResult.KIND_UNKNOWN;
    long kindLine;
    long examples;
    long counted;
    long messages;
    long total;
    long trained;
    long min = Long.MAX_VALUE;
    long max;
    long overLimit;
    long billing;

    void add(Finding f) {
      long c = counts.merge(f.code(), 1L, Long::sum);
      if (c <= maxFindingsPerCode) {
        kept.add(f);
      }
    }

    void merge(BatchResult r) {
      int fi = 0;
      List<Finding> fs = r.findings;
      for (int i = 0; i < r.size; i++) {
        long line = r.line[i];
        while (fi < fs.size() && fs.get(fi).line() <= line) {
          add(fs.get(fi++));
        }
        examples++;
        byte k = r.kind[i];
        if (k != BatchResult.KIND_UNKNOWN) {
          if (kind == BatchResult.KIND_UNKNOWN) {
            kind = k;
            kindLine = line;
          } else if (k != kind) {
            add(new Finding(Finding.Severity.ERROR, line, "mixed_kinds", "this is a "
                + kindName(k) + " example but line " + kindLine + " is a " + kindName(kind)
                + " example; keep one kind per file"));
            continue;
          }
        }
        int tok = r.tokens[i];
        if (tok < 0) {
          continue;
        }
        counted++;
        messages += r.messages[i];
        total += tok;
        trained += r.trained[i];
        min = Math.min(min, tok);
        max = Math.max(max, tok);
        histogram[Math.min(tok, HISTOGRAM_CAP - 1)]++;
        int limit = spec.contextTokens();
        if (limit > 0 && tok > limit) {
          overLimit++;
        }
        billing += limit > 0 ? Math.min(limit, tok) : tok;
      }
      while (fi < fs.size()) {
        add(fs.get(fi++));
      }
    }

    long percentile(double p) {
      long rank = (long) Math.ceil(p * counted);
      long seen = 0;
      for (int v = 0; v < histogram.length; v++) {
        seen += histogram[v];
        if (seen >= Math.max(1, rank)) {
          return v == HISTOGRAM_CAP - 1 ? max : v;
        }
      }
      return max;
    }

    DatasetReport report(Path path, String encoding) {
      if (examples < spec.minExamples()) {
        add(new Finding(Finding.Severity.ERROR, 0, "too_few_examples", "the dataset has " + examples
            + " example(s); " + providerName() + " needs at least " + spec.minExamples() + ": add more examples"));
      }
      if (spec.maxExamples() > 0 && examples > spec.maxExamples()) {
        add(new Finding(Finding.Severity.ERROR, 0, "too_many_examples", "the dataset has " + examples
            + " examples; " + spec.id() + " on " + spec.provider() + " accepts at most " + spec.maxExamples()
            + ": remove some or split the work"));
      }
      if (!spec.known() && !spec.structuralOnly()) {
        add(new Finding(Finding.Severity.WARNING, 0, "unknown_model", "Tunekit has no data for model "
            + spec.id() + (spec.provider().isEmpty() ? " in any model catalog on the class path"
                : " on " + spec.provider()) + ": the per-example token limit is not checked and no "
            + "cost is estimated; check the model name or add it to the provider's model catalog"));
      }
      List<Finding> sorted = new ArrayList<>(kept);
      sorted.sort((a, b) -> Long.compare(a.line(), b.line()));
      TokenStats stats = counted == 0 ? TokenStats.empty(encoding)
          : new TokenStats(encoding, counted, messages, total, min, (double) total / counted,
              percentile(0.50), percentile(0.95), max, trained, spec.contextTokens(), overLimit, billing);
      DatasetKind k = kind == BatchResult.KIND_PREFERENCE ? DatasetKind.PREFERENCE
          : kind == BatchResult.KIND_PROMPTS ? DatasetKind.PROMPTS : DatasetKind.CHAT;
      return new DatasetReport(path.toString(), k, examples, sorted, counts, stats, cost(stats, k));
    }

    private String providerName() {
      return spec.provider().isEmpty() ? "a dataset" : spec.provider();
    }

    private Optional<CostEstimate> cost(TokenStats stats, DatasetKind k) {
      BigDecimal price = spec.pricePerMillion();
      if (price == null || stats.countedExamples() == 0) {
        return Optional.empty();
      }
      int epochs;
      String source;
      boolean scaledRule = false;
      if (epochsOverride > 0) {
        epochs = epochsOverride;
        source = "set";
      } else if (spec.defaultEpochs() > 0) {
        epochs = spec.defaultEpochs();
        source = spec.provider() + " default for " + spec.id();
      } else {
        epochs = CostEstimate.scaledDefaultEpochs(examples);
        source = spec.catalog().epochRuleLabel() + " for " + examples + " examples";
        scaledRule = true;
      }
      long trainedTokens = stats.billingTokens() * epochs;
      BigDecimal totalCost = price.multiply(BigDecimal.valueOf(trainedTokens))
          .divide(BigDecimal.valueOf(1_000_000), 2, RoundingMode.HALF_UP);
      List<String> a = new ArrayList<>();
      a.add("tokens counted with " + stats.encoding() + " following the chat-format accounting of the tiktoken "
          + "cookbook (3 per message, +1 per name, +3 reply priming; tool definitions per the cookbook's "
          + "num_tokens_for_tools)");
      if (stats.contextLimit() > 0) {
        a.add("billing tokens per epoch = sum over examples of min(" + stats.contextLimit()
            + ", tokens per example), as in the fine-tuning cookbook's data-preparation script");
      } else {
        a.add("billing tokens per epoch = all tokens (no per-example limit known)");
      }
      a.add("epochs: " + epochs + " (" + source + ")"
          + (scaledRule ? ": 3, or min(25, 100 / n) if n x 3 < 100, or max(1, 25000 / n) if "
          + "n x 3 > 25000" : ""));
      ModelCatalog catalog = spec.catalog();
      a.add("price: " + spec.currency() + " " + price.toPlainString() + " per 1M trained tokens for " + spec.id()
          + " from Tunekit's " + catalog.name() + " data file (as of " + spec.asOf()
          + "); check the provider's price page");
      if (!catalog.tokenizerExact()) {
        a.add(spec.provider() + " counts tokens with the model's own tokenizer: these " + stats.encoding()
            + " counts are an estimate");
      }
      if (!catalog.name().equalsIgnoreCase(spec.provider())) {
        a.add(catalog.displayName() + " list prices; " + spec.provider() + " may bill differently");
      }
      if (!spec.confirmed()) {
        a.add("model data not confirmed against the provider's documentation: " + spec.notes());
      }
      if (k == DatasetKind.PREFERENCE) {
        a.add("preference (DPO) examples counted as input + both outputs; providers do not document DPO billing "
            + "tokens precisely");
      }
      if (k == DatasetKind.PROMPTS) {
        a.add("reinforcement prompts counted without answers; reinforcement fine-tuning samples answers and calls"
            + " the grader, and providers may bill it by training time rather than tokens: a lower bound");
      }
      if (stats.countedExamples() < examples) {
        a.add((examples - stats.countedExamples()) + " example(s) with errors are not counted");
      }
      return Optional.of(new CostEstimate(spec.provider(), spec.id(), epochs, source, stats.billingTokens(),
          trainedTokens, price, spec.currency(), totalCost, a));
    }
  }
}
