// The promotion gate for CI: reads an evaluation comparison (the report.json the quickstart or
// EvalComparison.writeJson writes), writes JUnit XML and a Markdown summary, and exits 1 when the gate blocks.
//
//   jshell-scripts/tunekit gate.jsh REPORT.json [--min-improvement 0.05] [--out DIR]
//
// Without --min-improvement it applies the gate recorded in the report (a run's decision); with it, it
// decides again: the tuned model must beat the baseline by that much (0.05 = five points).
// Writes DIR/junit.xml (one test case per eval case, the gate as its own suite) and DIR/summary.md (for a
// pull-request comment); DIR defaults to the report's folder. Prints the summary.
//
// Exit status: 0 promoted, 1 blocked, 2 bad arguments or unreadable report.
var args = Script.args();
int status = Script.run(() -> {
  if (args.positional().isEmpty()) {
    throw new InvalidInputException(
        "usage: jshell-scripts/tunekit gate.jsh REPORT.json [--min-improvement 0.05] [--out DIR]");
  }
  var file = Path.of(args.positional(0, "REPORT.json")).toAbsolutePath();
  var comparison = EvalComparison.readJson(file);
  if (args.option("min-improvement").isPresent()) {
    String raw = args.option("min-improvement").get();
    double min;
    try {
      min = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--min-improvement must be a number such as 0.05 (five points), was '" + raw + "'");
    }
    if (!(min >= -1 && min <= 1)) {
      throw new InvalidInputException("--min-improvement must be between -1 and 1 (0.05 = five points), was " + raw);
    }
    // The gated side: the target named "tuned", else the second report.
    var tuned = comparison.reports().stream().filter(r -> r.target().equals("tuned")).findFirst()
        .orElse(comparison.reports().get(1));
    comparison = comparison.withGate(tuned.checkImprovementOver(comparison.baseline(), min));
  }
  if (comparison.gate().isEmpty()) {
    throw new InvalidInputException("the report records no gate decision; pass --min-improvement 0.05 to apply one",
        file.toString());
  }
  var out = Path.of(args.option("out").orElse(file.getParent().toString())).toAbsolutePath();
  comparison.writeJUnitXml(out.resolve("junit.xml"));
  comparison.writeMarkdown(out.resolve("summary.md"));
  System.out.print(comparison.toMarkdown());
  System.out.println();
  System.out.println("wrote " + out.resolve("junit.xml") + " and " + out.resolve("summary.md"));
  return comparison.gate().get().passed() ? 0 : 1;
});
/exit status
