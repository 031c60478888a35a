package dev.tunekit.shell;

import java.util.Map;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's usual execution engine, with one change: a Tunekit exception that a snippet does not catch
 * is shown as its one-line message, without the stack trace. Tunekit's messages already say what went
 * wrong, where ({@code tunekit.yaml:2}, {@code train.jsonl:14}) and how to fix it; the frames under them
 * are noise to someone at a prompt. Other exceptions keep their stack traces.
 *
 * <p>{@code jshell-scripts/tunekit} selects it with {@code --execution tunekit:engine(local)} (this class is found
 * through {@code ServiceLoader} on the JShell tool's class path). With {@code -Dtunekit.debug=true} in
 * the tool's JVM ({@code TUNEKIT_DEBUG=1} for the launcher) the stack traces are kept.
 */
public final class ShellExecution implements ExecutionControlProvider {
  /** The engine JShell uses when given no {@code --execution}: a remote JVM reached over JDI. */
  static final String JSHELL_DEFAULT = "failover:0(jdi:hostname(localhost)),1(jdi:launch(true)),2(jdi)";

  /** For {@code ServiceLoader}. */
  public ShellExecution() {}

  @Override
  public String name() {
    return "tunekit";
  }

  /**
   * One parameter, {@code engine}: {@code remote} (the default: JShell's usual remote JVM) or {@code local}
   * (snippets run in the JShell tool's own JVM, as with {@code --execution local}, but Ctrl-C ends only the
   * snippet: {@link LocalSnippetControl}): {@code --execution "tunekit:engine(local)"}. The interactive
   * launcher uses {@code local}: no second JVM to start and connect to, so the prompt is ready sooner.
   */
  @Override
  public Map<String, String> defaultParameters() {
    return Map.of("engine", "remote");
  }

  @Override
  public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) throws Throwable {
    String engineName = parameters == null ? "remote" : parameters.getOrDefault("engine", "remote");
    ExecutionControl engine = engineName.equals("local") ? new LocalSnippetControl()
        : ExecutionControl.generate(env, JSHELL_DEFAULT);
    return Boolean.getBoolean("tunekit.debug") ? engine : new OneLineErrors(engine);
  }

  /** Delegates everything; strips the stack trace from a Tunekit exception thrown by a snippet. */
  private static final class OneLineErrors implements ExecutionControl {
    private final ExecutionControl engine;

    OneLineErrors(ExecutionControl engine) {
      this.engine = engine;
    }

    @Override
    public String invoke(String className, String methodName) throws RunException, EngineTerminationException,
        InternalException {
      try {
        return engine.invoke(className, methodName);
      } catch (UserException e) {
        String type = e.causeExceptionClass();
        if (type != null && type.startsWith("dev.tunekit.")) {
          throw new UserException(e.getMessage(), type, new StackTraceElement[0]);
        }
        throw e;
      }
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException,
        EngineTerminationException {
      engine.load(cbcs);
    }

    @Override
    public void redefine(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException,
        EngineTerminationException {
      engine.redefine(cbcs);
    }

    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException,
        InternalException {
      return engine.varValue(className, varName);
    }

    @Override
    public void addToClasspath(String path) throws EngineTerminationException, InternalException {
      engine.addToClasspath(path);
    }

    @Override
    public void stop() throws EngineTerminationException, InternalException {
      engine.stop();
    }

    @Override
    public Object extensionCommand(String command, Object arg) throws RunException, EngineTerminationException,
        InternalException {
      return engine.extensionCommand(command, arg);
    }

    @Override
    public void close() {
      engine.close();
    }
  }
}
