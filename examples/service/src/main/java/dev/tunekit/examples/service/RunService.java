package dev.tunekit.examples.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tunekit.FineTune;
import dev.tunekit.Run;
import dev.tunekit.RunInfo;
import dev.tunekit.RunListener;
import dev.tunekit.RunState;
import dev.tunekit.Tunekit;
import dev.tunekit.error.TunekitException;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.Graders;
import dev.tunekit.eval.Normalization;
import dev.tunekit.model.JobEvent;
import dev.tunekit.model.MetricPoint;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Starts eval-gated runs on the {@code Tunekit} bean and drives them to their end on its own threads, so an HTTP
 * request returns as soon as the job is submitted. After a restart ({@link ApplicationReadyEvent}) it resumes every
 * run it started that is not finished: {@code tk.resume(id, suite)} continues from what the ledger records (nothing
 * is uploaded or submitted twice), then it waits for the job again.
 */
@Service
public class RunService {
  private static final Logger log = LoggerFactory.getLogger(RunService.class);
  private static final Pattern STEP = Pattern.compile("Step (\\d+)/(\\d+)");

  /** What the service keeps per run to resume it: the request with every default filled in. */
  public record Saved(String trainingData, String validationData, String heldout, String baselinePrompt, double gate,
      Integer epochs, String model, String suffix) {}

  private final Tunekit tk;
  private final ServiceProperties props;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<String> driving = ConcurrentHashMap.newKeySet();
  private final ExecutorService drivers;
  private volatile boolean stopping;

  /** The service over {@code tk}. */
  public RunService(Tunekit tk, ServiceProperties props) {
    this.tk = tk;
    this.props = props;
    AtomicInteger n = new AtomicInteger();
    this.drivers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "run-driver-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Validates the request and starts the run, answering as soon as it is recorded and its data and plan are checked
   * ({@code FineTune.submit}): the baseline evaluation, upload and submission go on in the background, and this
   * service's threads wait for the job. Bad input still fails here, before anything is sent.
   */
  public RunView start(StartRunRequest req) {
    Saved s = resolve(req == null ? new StartRunRequest(null, null, null, null, null, null, null, null) : req);
    EvalSuite suite = suite(s.heldout(), "heldout");
    FineTune ft = tk.fineTune().model(s.model()).trainingData(Path.of(s.trainingData()))
        .suffix(s.suffix()).evaluateWith(suite).baselinePrompt(s.baselinePrompt()).gate(s.gate());
    if (s.validationData() != null) {
      ft.validationData(Path.of(s.validationData()));
    }
    if (s.epochs() != null) {
      ft.hyperparameters(h -> h.epochs(s.epochs()));
    }
    // On Tunekit's own threads, not this service's drivers: closing the Tunekit bean waits (tunekit.spring.shutdownWait)
    // for a baseline, upload or submission in flight, whereas stop() below interrupts the drivers' waits.
    Run run = ft.submit();
    save(run.id(), s);
    drive(run.id(), () -> run.await(RunListener.none()));
    return view(run.id(), false);
  }

  /** Every run in the ledger, newest first. */
  public List<RunView> list() {
    return tk.runs().stream().map(r -> summary(r)).toList();
  }

  /** One run with its progress, curve, scores and gate (asks the provider for the job's metrics). */
  public RunView view(String id, boolean detail) {
    Run run = existing(id);
    RunInfo info = run.info();
    RunView base = summary(info);
    if (!detail) {
      return base;
    }
    List<RunView.Point> points = null;
    RunView.Progress progress = null;
    String metricsError = null;
    if (info.jobId().isPresent()) {
      try {
        points = new ArrayList<>();
        for (MetricPoint p : run.metrics()) {
          points.add(new RunView.Point(p.step(), p.trainLoss().isPresent() ? p.trainLoss().getAsDouble() : null,
              p.validLoss().isPresent() ? p.validLoss().getAsDouble() : null));
        }
        Long total = null;
        for (JobEvent e : run.events()) {
          Matcher m = STEP.matcher(e.message());
          if (m.find()) {
            total = Long.parseLong(m.group(2));
          }
        }
        progress = new RunView.Progress(points.isEmpty() ? 0 : points.get(points.size() - 1).step(), total);
      } catch (TunekitException e) {
        metricsError = e.getMessage();
      }
    }
    RunView.Score baseline = run.baselineReport().map(RunService::score).orElse(null);
    Optional<EvalComparison> cmp = run.evaluation();
    RunView.Score tuned = cmp.flatMap(c -> c.reports().stream().filter(r -> r != c.baseline()).findFirst())
        .map(RunService::score).orElse(null);
    RunView.Gate gate = run.gate().map(g -> new RunView.Gate(g.gate(), g.passed(), g.message())).orElse(null);
    Double required = load(id).map(Saved::gate).orElse(null);
    // The state last: a run moves on while the metrics are fetched, and a view whose gate is newer than its
    // state (TRAINED, gate passed) would contradict itself.
    base = summary(run.info());
    return new RunView(base.id(), base.provider(), base.state(), base.terminal(), base.driving(), base.baseModel(),
        base.tunedModel(), base.jobId(), base.jobStatus(), base.error(), base.createdAt(), base.updatedAt(), progress,
        points, metricsError, baseline, tuned, required, gate,
        cmp.isPresent() ? "/api/runs/" + id + "/report" : null);
  }

  /** The run's HTML report (the baseline-vs-tuned comparison, the gate, the loss curve, every case). */
  public String report(String id) {
    Run run = existing(id);
    return run.evaluation().map(EvalComparison::toHtml).orElseThrow(() -> new ApiException(HttpStatus.CONFLICT,
        "run " + id + " has no report yet: it is " + run.state() + " and the report exists once its tuned model is"
            + " evaluated", "path: /api/runs/" + id + "/report",
        "wait until GET /api/runs/" + id + " shows a reportUrl (state EVALUATED, GATE_PASSED or GATE_BLOCKED)"));
  }

  /** Cancels the run (its job, if submitted) and returns it. */
  public RunView cancel(String id) {
    Run run = existing(id);
    if (run.state().isTerminal()) {
      throw new ApiException(HttpStatus.CONFLICT, "run " + id + " is already over: " + run.state(),
          "path: /api/runs/" + id + "/cancel", "nothing to cancel; start a new run with POST /api/runs");
    }
    run.cancel();
    return view(id, false);
  }

  /** After a (re)start: resumes every run this service started that is not finished yet. */
  @EventListener(ApplicationReadyEvent.class)
  public void resumeUnfinished() {
    for (RunInfo r : tk.runs()) {
      RunState st = r.state();
      if (!(st.isBeforeSubmission() || st == RunState.SUBMITTED || st == RunState.TRAINED)) {
        continue;
      }
      Optional<Saved> saved = load(r.id());
      if (saved.isEmpty()) {
        log.info("run {} ({}) was not started by this service; left as it is", r.id(), st);
        continue;
      }
      log.info("resuming run {} ({})", r.id(), st);
      drive(r.id(), () -> {
        Run run = tk.resume(r.id(), suite(saved.get().heldout(), "heldout"));
        if (!run.state().isTrained() && !run.state().isTerminal()) {
          run.await(RunListener.none());
        }
      });
    }
  }

  /** Stops waiting for jobs (the runs stay in the ledger and are resumed at the next start). */
  @PreDestroy
  public void stop() throws InterruptedException {
    stopping = true;
    drivers.shutdownNow();
    drivers.awaitTermination(10, TimeUnit.SECONDS);
  }

  private void drive(String id, Runnable step) {
    if (!driving.add(id)) {
      return;
    }
    drivers.execute(() -> {
      try {
        step.run();
        log.info("run {}: {}", id, tk.run(id).state());
      } catch (RuntimeException e) {
        if (!stopping) {
          log.warn("run {} stopped short: {}", id, e.getMessage());
        }
      } finally {
        driving.remove(id);
      }
    });
  }

  private RunView summary(RunInfo r) {
    return new RunView(r.id(), r.provider(), r.state().name(), r.state().isTerminal(), driving.contains(r.id()),
        r.baseModel(), r.fineTunedModel().orElse(null), r.jobId().orElse(null), r.jobStatus().orElse(null),
        r.error().orElse(null), r.createdAt().toString(), r.updatedAt().toString(), null, null, null, null, null,
        null, null, null);
  }

  private static RunView.Score score(EvalReport r) {
    var p = r.passRate();
    return new RunView.Score(r.model(), p.passed(), p.total(), p.rate(), p.low(), p.high());
  }

  private Run existing(String id) {
    if (id == null || tk.runs().stream().noneMatch(r -> r.id().equals(id))) {
      throw new ApiException(HttpStatus.NOT_FOUND, "no run '" + id + "' in the ledger", "path: /api/runs/" + id,
          "list the runs with GET /api/runs and use one of their ids");
    }
    return tk.run(id);
  }

  private Saved resolve(StartRunRequest req) {
    Path data = props.dataDir();
    boolean bundled = req.trainingData() == null;
    String train = file(req.trainingData(), "trainingData", data.resolve("train.jsonl"));
    String valid = req.validationData() != null ? file(req.validationData(), "validationData", null)
        : bundled ? file(null, "validationData", data.resolve("validation.jsonl")) : null;
    String heldout = file(req.heldout(), "heldout", data.resolve("heldout.jsonl"));
    String prompt = req.baselinePrompt();
    if (prompt == null) {
      Path p = data.resolve("baseline-system-prompt.txt");
      try {
        prompt = Files.readString(p);
      } catch (IOException e) {
        throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "the bundled baseline prompt cannot be read",
            p.toString(), "set service.dataDir to a copy of examples/data/nl2query, or send baselinePrompt");
      }
    } else if (prompt.isBlank()) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "baselinePrompt is blank", "request body: field 'baselinePrompt'",
          "give the baseline's system prompt (few-shot examples help), or leave the field out for the bundled one");
    }
    double gate = req.gate() == null ? 0.05 : req.gate();
    if (!(gate >= -1 && gate <= 1)) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "gate " + req.gate() + " is out of range",
          "request body: field 'gate'", "give a pass-rate difference in [-1, 1], such as 0.05 for five points");
    }
    if (req.epochs() != null && (req.epochs() < 1 || req.epochs() > 50)) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "epochs " + req.epochs() + " is out of range",
          "request body: field 'epochs'", "give a whole number of epochs from 1 to 50, or leave it out");
    }
    return new Saved(train, valid, heldout, prompt, gate, req.epochs(),
        req.model() == null ? "local-base" : req.model(), req.suffix() == null ? "service" : req.suffix());
  }

  private static String file(String given, String field, Path fallback) {
    Path p = given == null ? fallback : Path.of(given).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new ApiException(given == null ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST,
          "no such file: " + p, given == null ? "service.dataDir (the bundled dataset)" : "request body: field '" + field + "'",
          given == null ? "set service.dataDir to examples/data/nl2query (or a copy), or send " + field
              : "give the path of a chat JSONL file on the service's machine, or leave " + field + " out to use"
                  + " the bundled dataset");
    }
    return p.toString();
  }

  static EvalSuite suite(String heldout, String field) {
    return EvalSuite.load(Path.of(heldout))
        .withGrader(Graders.exactMatch(Normalization.TRIM, Normalization.COLLAPSE_WHITESPACE));
  }

  private void save(String id, Saved s) {
    try {
      Files.createDirectories(props.stateDir());
      Path tmp = props.stateDir().resolve(id + ".json.tmp");
      json.writeValue(tmp.toFile(), s);
      Files.move(tmp, props.stateDir().resolve(id + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("run {}: cannot keep its request in {} ({}); it will not be resumed after a restart", id,
          props.stateDir(), e.getMessage());
    }
  }

  private Optional<Saved> load(String id) {
    Path f = props.stateDir().resolve(id + ".json");
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(f.toFile(), Saved.class));
    } catch (IOException e) {
      log.warn("run {}: its saved request {} cannot be read: {}", id, f, e.getMessage());
      return Optional.empty();
    }
  }
}
