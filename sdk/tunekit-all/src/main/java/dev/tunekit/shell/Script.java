package dev.tunekit.shell;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small helpers for {@code .jsh} scripts run by {@code jshell-scripts/tunekit}: the script's
 * arguments, and a runner that turns Tunekit's exceptions into one clear line and an exit status
 * instead of a stack trace.
 *
 * <pre>{@code
 * var args = Script.args();
 * int status = Script.run(() -> {
 *   var report = Dataset.of(Path.of(args.positional(0, "FILE"))).validate(args.option("model").orElse("gpt-4o-mini"));
 *   report.print();
 *   return report.hasErrors() ? 1 : 0;
 * });
 * /exit status
 * }</pre>
 */
public final class Script {
  private static final Logger LOG = LoggerFactory.getLogger(Script.class);

  private Script() {}

  /** The body of a script: returns the exit status, may throw anything. */
  @FunctionalInterface
  public interface Body {
    /** Runs the script; returns its exit status (0 for success). */
    int run() throws Exception;
  }

  /**
   * The arguments given after the script name on the launcher's command line.
   *
   * @param flags the names of switches that never take a value (such as {@code "json"} for
   *     {@code --json}), so that {@code --json data.jsonl} keeps {@code data.jsonl} positional
   */
  public static Args args(String... flags) {
    String file = System.getProperty("tunekit.argsFile");
    if (file == null || file.isEmpty()) {
      return Args.parse(List.of(), flags);
    }
    try {
      return Args.parse(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8), flags);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the script arguments from " + file, e);
    }
  }

  /**
   * Runs {@code body} and returns its exit status. A {@link TunekitException} is printed as one line
   * (with its location, and what to do) to standard error and gives status 2 (bad input) or 3
   * (provider or other failure); anything else thrown gives status 4 with its class and message. The
   * stack trace goes to this class's SLF4J logger at debug level only, so a user sees it only when
   * asking for it (the launcher's {@code TUNEKIT_DEBUG=1} raises Tunekit's loggers to debug).
   */
  public static int run(Body body) {
    return run(body, System.err);
  }

  static int run(Body body, PrintStream err) {
    Objects.requireNonNull(body, "body");
    try {
      return body.run();
    } catch (InvalidInputException e) {
      err.println("error: " + e.getMessage());
      debug(e);
      return 2;
    } catch (ProviderException e) {
      err.println("error: " + e.getMessage()
          + e.statusCode().map(s -> " (HTTP " + s + ")").orElse("")
          + e.requestId().map(r -> " [request " + r + "]").orElse(""));
      debug(e);
      return 3;
    } catch (TunekitException e) {
      err.println("error: " + e.getMessage());
      debug(e);
      return 3;
    } catch (Exception | Error e) {
      // Errors too (out of memory, a missing class): a script's user gets one line, not a trace.
      err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
          + " (run with TUNEKIT_DEBUG=1 for details)");
      debug(e);
      return 4;
    }
  }

  private static void debug(Throwable e) {
    LOG.debug("the script ended with {}", e.getClass().getName(), e);
  }

  /**
   * Parsed script arguments: {@code --name value} and {@code --name=value} options, {@code --flag}
   * switches (declared ones, or an option followed by another option or nothing), and positional
   * arguments.
   */
  public static final class Args {
    private final List<String> positional;
    private final Map<String, String> options;

    private Args(List<String> positional, Map<String, String> options) {
      this.positional = List.copyOf(positional);
      this.options = Map.copyOf(options);
    }

    /**
     * Parses raw arguments.
     *
     * @param flags names of switches that never take a value
     */
    public static Args parse(List<String> raw, String... flags) {
      java.util.Set<String> switches = java.util.Set.of(flags);
      List<String> pos = new ArrayList<>();
      Map<String, String> opts = new LinkedHashMap<>();
      for (int i = 0; i < raw.size(); i++) {
        String a = raw.get(i);
        if (a.startsWith("--") && a.length() > 2) {
          String name = a.substring(2);
          int eq = name.indexOf('=');
          if (eq >= 0) {
            opts.put(name.substring(0, eq), name.substring(eq + 1));
          } else if (!switches.contains(name) && i + 1 < raw.size() && !raw.get(i + 1).startsWith("--")) {
            opts.put(name, raw.get(++i));
          } else {
            opts.put(name, "true");
          }
        } else {
          pos.add(a);
        }
      }
      return new Args(pos, opts);
    }

    /** Positional arguments, in order. */
    public List<String> positional() {
      return positional;
    }

    /**
     * The positional argument at {@code index}; when it is missing, fails with a usage message that
     * names it as {@code what}.
     */
    public String positional(int index, String what) {
      if (index >= positional.size()) {
        throw new InvalidInputException("missing argument " + what);
      }
      return positional.get(index);
    }

    /** An option's value, such as {@code --model gpt-4o-mini}. */
    public Optional<String> option(String name) {
      return Optional.ofNullable(options.get(name));
    }

    /** Whether a switch such as {@code --json} was given. */
    public boolean flag(String name) {
      return "true".equals(options.get(name));
    }

    @Override
    public String toString() {
      return "Args{positional=" + positional + ", options=" + options.keySet() + "}";
    }
  }
}
