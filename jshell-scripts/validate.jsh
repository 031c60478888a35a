// Prints the dataset report for a fine-tuning file and exits non-zero when the dataset has errors.
//
//   jshell-scripts/tunekit validate.jsh FILE [--model M] [--provider P] [--epochs N] [--json]
//
// Limits and prices come from the model catalogs of the provider modules on the class path. Without
// --provider, the first catalog that lists the model is used; --provider names a provider type
// (openai, azure, bedrock, local, ...) to use that type's catalog.
//
// Exit status: 0 no errors (warnings allowed), 1 the dataset has errors, 2 bad arguments or unreadable file.
var args = Script.args("json");
int status = Script.run(() -> {
  if (args.positional().isEmpty()) {
    throw new InvalidInputException(
        "usage: jshell-scripts/tunekit validate.jsh FILE [--model M] [--provider P] [--epochs N] [--json]");
  }
  var file = Path.of(args.positional(0, "FILE"));
  var options = new ValidationOptions(
      args.option("provider").orElse(""),
      args.option("model").orElse("gpt-4o-mini-2024-07-18"));
  if (args.option("epochs").isPresent()) {
    String epochs = args.option("epochs").get();
    if (!epochs.matches("[0-9]{1,2}") || Integer.parseInt(epochs) < 1 || Integer.parseInt(epochs) > 50) {
      throw new InvalidInputException("--epochs must be a whole number from 1 to 50, was '" + epochs + "'");
    }
    options = options.withEpochs(Integer.parseInt(epochs));
  }
  var report = Dataset.of(file).validate(options);
  if (args.flag("json")) {
    System.out.println(report.toJson());
  } else {
    report.print();
  }
  return report.hasErrors() ? 1 : 0;
});
/exit status
