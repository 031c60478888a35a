package dev.tunekit.eval;

import dev.tunekit.error.TunekitException;
import dev.tunekit.error.InvalidInputException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A named, immutable set of {@link EvalCase}s and the {@link Grader}s every case is graded with. The
 * same suite runs against every target (the prompt-engineered baseline, the tuned model, another
 * provider's model), which is what makes their reports comparable.
 *
 * <p>Load one from a file ({@code .jsonl}, {@code .yaml} or {@code .yml}); bad cases are reported
 * with {@code file:line}:
 *
 * <pre>{@code
 * EvalSuite suite = EvalSuite.load(Path.of("evals/orders.yaml"))
 *     .withGrader(Graders.exactMatch())
 *     .withGrader(Graders.validJson());
 * }</pre>
 *
 * <p>A JSONL line is {@code {"id":"c1","input":"…","expected":"…","tags":["a"]}}, with
 * {@code "messages":[{"role":"user","content":"…"}]} instead of {@code input} for a multi-turn input;
 * {@code expected} may also be a JSON object (it is then compared as compact JSON text). A line in
 * the chat JSONL fine-tuning format ({@code {"messages":[…, {"role":"assistant", …}]}}) is a case too:
 * its final assistant message is the expected output, so held-out fine-tuning data is an eval suite
 * as it is. A YAML file is
 * {@code {name: …, graders: [ … ], cases: [ … ]}} with the same keys per case, or just the list of cases.
 *
 * <p>Graders may be declared in the file, by the names they have in code (see {@link GraderRegistry}):
 * {@code graders:} at the top of a YAML suite applies to every case, {@code graders:} in a case (YAML or
 * JSONL) to that case only, and a JSONL line holding only {@code {"graders": [ … ]}} to every case.
 * Graders added with {@link #withGrader} apply to every case as well.
 */
public final class EvalSuite {
  private final String name;
  private final List<EvalCase> cases;
  private final List<Grader> graders;
  private final Map<String, List<Grader>> caseGraders;

  private EvalSuite(String name, List<EvalCase> cases, List<Grader> graders) {
    this(name, cases, graders, Map.of());
  }

  private EvalSuite(String name, List<EvalCase> cases, List<Grader> graders, Map<String, List<Grader>> caseGraders) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new InvalidInputException("an eval suite needs a non-blank name");
    }
    if (cases.isEmpty()) {
      throw new InvalidInputException("eval suite '" + name + "' has no cases; add at least one");
    }
    Set<String> ids = new HashSet<>();
    for (EvalCase c : cases) {
      if (!ids.add(c.id())) {
        throw new InvalidInputException("eval suite '" + name + "' has two cases with id '" + c.id()
            + "'; give each case a unique id");
      }
    }
    this.name = name;
    this.cases = List.copyOf(cases);
    this.graders = List.copyOf(graders);
    Map<String, List<Grader>> perCase = new LinkedHashMap<>();
    caseGraders.forEach((id, gs) -> {
      if (!ids.contains(id)) {
        throw new InvalidInputException("eval suite '" + name + "' has graders for case '" + id
            + "', which it does not have");
      }
      if (!gs.isEmpty()) {
        perCase.put(id, List.copyOf(gs));
      }
    });
    this.caseGraders = Collections.unmodifiableMap(perCase);
  }

  /** A suite built in code. Add graders with {@link #withGrader}. */
  public static EvalSuite of(String name, List<EvalCase> cases) {
    return new EvalSuite(name, cases, List.of());
  }

  /** A suite built in code. */
  public static EvalSuite of(String name, EvalCase... cases) {
    return of(name, Arrays.asList(cases));
  }

  /**
   * Loads a suite from a {@code .jsonl}, {@code .yaml} or {@code .yml} file. The suite is named after
   * the YAML {@code name} key, or else the file name without extension.
   *
   * @throws InvalidInputException naming {@code file:line} and the fix, for any bad case
   */
  public static EvalSuite load(Path file) {
    return load(file, GraderRegistry.builtIn());
  }

  /**
   * {@link #load(Path)} with the graders the file declares made by {@code graders} (your own graders, a
   * judge model).
   *
   * @throws InvalidInputException naming {@code file:line}, for a bad case or an unknown grader name or
   *     bad grader parameter (listing the valid names)
   */
  public static EvalSuite load(Path file, GraderRegistry graders) {
    return of(SuiteLoader.load(file, graders));
  }

  /** Loads a suite from a URL such as a classpath resource; the format comes from its extension. */
  public static EvalSuite load(URL url) {
    return load(url, GraderRegistry.builtIn());
  }

  /** {@link #load(URL)} with the graders the file declares made by {@code graders}. */
  public static EvalSuite load(URL url, GraderRegistry graders) {
    return of(SuiteLoader.load(url, graders));
  }

  static EvalSuite of(SuiteLoader.Loaded loaded) {
    return new EvalSuite(loaded.name(), loaded.cases(), loaded.graders(), loaded.caseGraders());
  }

  static EvalSuite of(String name, List<EvalCase> cases, List<Grader> graders, Map<String, List<Grader>> caseGraders) {
    return new EvalSuite(name, cases, graders, caseGraders);
  }

  /**
   * A copy with {@code grader} added. A name already used in this suite gets a numeric suffix
   * ({@code custom}, {@code custom-2}) so reports keep the graders apart.
   */
  public EvalSuite withGrader(Grader grader) {
    Objects.requireNonNull(grader, "grader");
    Set<String> taken = new HashSet<>();
    graders.forEach(g -> taken.add(g.name()));
    Grader added = grader;
    if (taken.contains(grader.name())) {
      int n = 2;
      while (taken.contains(grader.name() + "-" + n)) {
        n++;
      }
      added = grader instanceof DeclaredGrader d ? d.renamed(grader.name() + "-" + n)
          : Grader.named(grader.name() + "-" + n, grader);
    }
    List<Grader> all = new ArrayList<>(graders);
    all.add(added);
    return new EvalSuite(name, cases, all, caseGraders);
  }

  /** A copy in which case {@code caseId} is also graded by {@code more} (after the suite's graders). */
  public EvalSuite withCaseGraders(String caseId, Grader... more) {
    Objects.requireNonNull(caseId, "caseId");
    Map<String, List<Grader>> all = new LinkedHashMap<>(caseGraders);
    List<Grader> list = new ArrayList<>(all.getOrDefault(caseId, List.of()));
    list.addAll(Arrays.asList(more));
    all.put(caseId, list);
    return new EvalSuite(name, cases, graders, all);
  }

  /** A copy with all of {@code more} added, in order. */
  public EvalSuite withGraders(Grader... more) {
    EvalSuite s = this;
    for (Grader g : more) {
      s = s.withGrader(g);
    }
    return s;
  }

  /** A copy keeping only the cases that carry at least one of {@code anyOf}. */
  public EvalSuite withTags(String... anyOf) {
    Set<String> wanted = Set.of(anyOf);
    List<EvalCase> kept = cases.stream().filter(c -> c.tags().stream().anyMatch(wanted::contains)).toList();
    if (kept.isEmpty()) {
      throw new InvalidInputException("no case in suite '" + name + "' has any of the tags " + wanted);
    }
    Map<String, List<Grader>> keptGraders = new LinkedHashMap<>(caseGraders);
    keptGraders.keySet().retainAll(kept.stream().map(EvalCase::id).toList());
    return new EvalSuite(name, kept, graders, keptGraders);
  }

  /** The suite's name. */
  public String name() {
    return name;
  }

  /** The cases, in file order. */
  public List<EvalCase> cases() {
    return cases;
  }

  /** The graders applied to every case, in order. */
  public List<Grader> graders() {
    return graders;
  }

  /** The graders declared for case {@code caseId} alone (empty when it has none). */
  public List<Grader> caseGraders(String caseId) {
    return caseGraders.getOrDefault(caseId, List.of());
  }

  /** The graders {@code testCase} is graded with: the suite's, then its own. */
  public List<Grader> gradersFor(EvalCase testCase) {
    List<Grader> own = caseGraders(testCase.id());
    if (own.isEmpty()) {
      return graders;
    }
    List<Grader> all = new ArrayList<>(graders);
    all.addAll(own);
    return List.copyOf(all);
  }

  /** Whether every case has at least one grader (of the suite or its own). */
  public boolean isGraded() {
    return !graders.isEmpty() || cases.stream().allMatch(c -> caseGraders.containsKey(c.id()));
  }

  /** The number of cases. */
  public int size() {
    return cases.size();
  }

  /**
   * A short hash of the cases (ids, inputs, expected values and tags) and graders (names, and the parameters
   * of graders declared in a suite file). Reports carry it so a gate refuses to compare runs of different
   * suites. A parameter that names a file (a schema) counts as its name, not its content.
   */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (EvalCase c : cases) {
        update(sha, c.id());
        c.messages().forEach(m -> {
          update(sha, m.role());
          update(sha, m.content());
        });
        update(sha, c.expected().orElse("\u0000none"));
        c.tags().forEach(t -> update(sha, t));
        for (Grader g : caseGraders(c.id())) {
          update(sha, "\u0002" + g.name());
          GraderSpec.of(g).ifPresent(spec -> update(sha, spec.params().toString()));
        }
        update(sha, "\u0001");
      }
      for (Grader g : graders) {
        update(sha, g.name());
        // A declared grader's parameters too (a schema, a threshold): the same name with other settings
        // grades differently, and a resumed run must not take one for the other.
        GraderSpec.of(g).filter(spec -> !spec.params().isEmpty()).ifPresent(spec -> update(sha, spec.params().toString()));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new TunekitException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void update(MessageDigest sha, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    sha.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) ':');
    sha.update(b);
  }

  @Override
  public String toString() {
    return "EvalSuite[" + name + ", " + cases.size() + " cases, graders="
        + graders.stream().map(Grader::name).toList() + "]";
  }
}
