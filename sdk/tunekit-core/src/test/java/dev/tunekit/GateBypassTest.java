package dev.tunekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.error.InvalidInputException;
import dev.tunekit.eval.CaseResult;
import dev.tunekit.eval.EvalCase;
import dev.tunekit.eval.EvalComparison;
import dev.tunekit.eval.EvalReport;
import dev.tunekit.eval.EvalSuite;
import dev.tunekit.eval.GateFailedException;
import dev.tunekit.eval.GateResult;
import dev.tunekit.eval.Grade;
import dev.tunekit.eval.Grader;
import dev.tunekit.testing.FakeProvider.Op;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Nothing public can mark a gate passed: only a real evaluation records one. */
class GateBypassTest extends FakeProviderTest {
  private static final Set<Class<?>> RESULT_TYPES = Set.of(GateResult.class, EvalReport.class, EvalComparison.class,
      CaseResult.class, RunResult.class);
  private static final Pattern WRITE_NAME = Pattern.compile("(?i).*(record|gate|evaluation|report|result|ledger).*");
  private static final Set<Class<?>> RAW = Set.of(String.class, CharSequence.class, byte[].class, Object.class,
      java.util.Map.class, com.fasterxml.jackson.databind.JsonNode.class);

  /** Every public API type reachable from Tunekit and Run through public signatures (internal excluded). */
  private static Set<Class<?>> reachableApiTypes() {
    Set<Class<?>> seen = new LinkedHashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(Tunekit.class, Run.class));
    while (!todo.isEmpty()) {
      Class<?> c = todo.pop();
      if (c.isArray()) {
        c = c.getComponentType();
      }
      if (!c.getName().startsWith("dev.tunekit.") || c.getName().startsWith("dev.tunekit.internal")
          || !Modifier.isPublic(c.getModifiers()) || !seen.add(c)) {
        continue;
      }
      List<Executable> members = new ArrayList<>(Arrays.asList(c.getMethods()));
      members.addAll(Arrays.asList(c.getConstructors()));
      for (Executable m : members) {
        List<Type> types = new ArrayList<>(Arrays.asList(m.getGenericParameterTypes()));
        if (m instanceof Method method) {
          types.add(method.getGenericReturnType());
        }
        types.forEach(t -> classesOf(t).forEach(todo::add));
      }
      todo.addAll(Arrays.asList(c.getClasses()));
    }
    return seen;
  }

  private static Stream<Class<?>> classesOf(Type t) {
    if (t instanceof Class<?> c) {
      return Stream.of(c);
    }
    if (t instanceof ParameterizedType p) {
      return Stream.concat(classesOf(p.getRawType()), Arrays.stream(p.getActualTypeArguments())
          .flatMap(GateBypassTest::classesOf));
    }
    return Stream.empty();
  }

  /** Whether instances reach the engine (and so the ledger): a field of an internal type. */
  private static boolean holdsTheEngine(Class<?> c) {
    for (Field f : c.getDeclaredFields()) {
      if (f.getType().getName().startsWith("dev.tunekit.internal")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void noPublicMethodOfAnApiTypeThatReachesTheLedgerAcceptsAReportOrGateToWrite() {
    Set<Class<?>> api = reachableApiTypes();
    List<Class<?>> engineBound = api.stream().filter(GateBypassTest::holdsTheEngine).toList();
    assertThat(engineBound).as("the walk found the ledger-bound API types").contains(Tunekit.class, Run.class,
        FineTune.class, Webhooks.class);
    List<String> offenders = new ArrayList<>();
    for (Class<?> c : engineBound) {
      List<Executable> members = new ArrayList<>(Arrays.asList(c.getMethods()));
      members.addAll(Arrays.asList(c.getConstructors()));
      for (Executable m : members) {
        if (m.getDeclaringClass() == Object.class) {
          continue;
        }
        for (Class<?> p : m.getParameterTypes()) {
          if (RESULT_TYPES.contains(p) || (RAW.contains(p) && WRITE_NAME.matcher(m.getName()).matches())) {
            offenders.add(c.getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes()));
          }
        }
      }
    }
    assertThat(offenders).as("public writes into evaluation or gate records").isEmpty();
    assertThat(Arrays.stream(Run.class.getMethods()).map(Method::getName)).doesNotContain("recordEvaluation");
  }

  @Test
  void deployStaysRefusedUntilARealEvaluationPassesTheGate() {
    Grader tunedOnly = Grader.named("tuned-only", (c, out) -> Grade.of(out.startsWith("ft:"), "by prefix"));
    EvalSuite suite = EvalSuite.of("sql", EvalCase.of("c1", "q1", "SELECT 1"), EvalCase.of("c2", "q2", "SELECT 2"))
        .withGrader(tunedOnly);
    String runId;
    try (Tunekit tk = open()) {
      runId = tk.fineTune().model("gpt-4o-mini").trainingData(train).evaluateWith(suite).gate(0.05).start().id();
    }
    try (Tunekit tk = open()) {
      Run run = tk.resume(runId); // no suite in this process
      RunResult r = run.await();
      assertThat(r.state()).isEqualTo(RunState.TRAINED);
      assertThat(r.gate()).isEmpty();
      assertThat(r.error()).get().asString().contains("resume with the suite");
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class).hasMessageContaining("not evaluated");
      EvalSuite other = EvalSuite.of("sql", EvalCase.of("c1", "q1", "SELECT 1")).withGrader(tunedOnly);
      assertThatThrownBy(() -> run.evaluate(other)).isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(run::deploy).isInstanceOf(GateFailedException.class);
      assertThat(fake.calls(Op.DEPLOY)).isZero();
      assertThat(run.state()).isEqualTo(RunState.TRAINED);

      run.evaluate(suite); // the real evaluation
      assertThat(run.state()).isEqualTo(RunState.GATE_PASSED);
      assertThat(run.deploy()).isNotNull();
      assertThat(run.state()).isEqualTo(RunState.DEPLOYED);
    }
  }
}
