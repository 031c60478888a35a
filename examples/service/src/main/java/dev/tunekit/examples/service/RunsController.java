package dev.tunekit.examples.service;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API (JSON; errors as {@link ApiError}):
 * <ul>
 *   <li>{@code POST /api/runs} ({@link StartRunRequest}, every field optional): validates and checks the plan, then
 *       answers 201 with the run (state VALIDATED) while the baseline, upload and submission go on in the
 *       background;</li>
 *   <li>{@code GET /api/runs}: every run with its state and provider, newest first;</li>
 *   <li>{@code GET /api/runs/{id}}: one run with its progress, loss curve, baseline vs tuned and gate;</li>
 *   <li>{@code GET /api/runs/{id}/report}: its HTML report, once the tuned model is evaluated;</li>
 *   <li>{@code POST /api/runs/{id}/cancel}: cancels it.</li>
 * </ul>
 * Provider webhooks arrive at the starter's {@code POST /tunekit/webhooks}.
 */
@RestController
@RequestMapping("/api/runs")
public class RunsController {
  private final RunService runs;

  /** The API over {@code runs}. */
  public RunsController(RunService runs) {
    this.runs = runs;
  }

  /** Starts an eval-gated run. */
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<RunView> start(@RequestBody(required = false) String body) {
    RunView run = runs.start(StartRunRequests.parse(body));
    return ResponseEntity.status(HttpStatus.CREATED).header("Location", "/api/runs/" + run.id()).body(run);
  }

  /** Every run, newest first. */
  @GetMapping
  public List<RunView> list() {
    return runs.list();
  }

  /** One run in detail. */
  @GetMapping("/{id}")
  public RunView get(@PathVariable("id") String id) {
    return runs.view(id, true);
  }

  /** The run's HTML report. */
  @GetMapping(value = "/{id}/report", produces = MediaType.TEXT_HTML_VALUE)
  public String report(@PathVariable("id") String id) {
    return runs.report(id);
  }

  /** Cancels the run. */
  @PostMapping("/{id}/cancel")
  public RunView cancel(@PathVariable("id") String id) {
    return runs.cancel(id);
  }
}
