// Runs only when a script did not reach its own `/exit`: a snippet failed to compile or threw.
System.err.println("tunekit: the script stopped before its /exit (see the error above)");
/exit 70
