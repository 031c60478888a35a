/** Helpers for {@code .jsh} scripts run by {@code jshell-scripts/tunekit}: arguments and clean errors. */
package dev.tunekit.shell;
