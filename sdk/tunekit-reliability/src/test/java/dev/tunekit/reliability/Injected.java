package dev.tunekit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.reliability.FaultPlan.Endpoint;
import dev.tunekit.reliability.FaultPlan.Kind;
import dev.tunekit.reliability.FaultPlan.Obligation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Faults an injector really applied, by kind and endpoint, as the injector itself saw them (the fault
 * proxy counts after the fault was done to the connection; for WireMock they are read from its
 * request journal). A {@link Kind#COMMIT_THEN_DROP} counts only when the server did create the thing
 * (it answered 2xx) before the connection was dropped.
 */
final class Injected {
  private final Map<Obligation, AtomicLong> counts = new ConcurrentHashMap<>();

  void record(Kind kind, Endpoint endpoint) {
    counts.computeIfAbsent(new Obligation(kind, endpoint), o -> new AtomicLong()).incrementAndGet();
  }

  long count(Obligation o) {
    AtomicLong n = counts.get(o);
    return n == null ? 0 : n.get();
  }

  long count(Kind kind) {
    return counts.entrySet().stream().filter(e -> e.getKey().kind() == kind).mapToLong(e -> e.getValue().get()).sum();
  }

  /** {@code http_500=3(files=1,poll=2) ...}, every kind, in declaration order. */
  String summary() {
    StringBuilder b = new StringBuilder();
    for (Kind k : Kind.values()) {
      Map<String, Long> per = new TreeMap<>();
      counts.forEach((o, n) -> {
        if (o.kind() == k) {
          per.put(o.endpoint().name().toLowerCase(Locale.ROOT), n.get());
        }
      });
      b.append(b.length() == 0 ? "" : " ").append(k.name().toLowerCase(Locale.ROOT)).append('=').append(count(k));
      if (!per.isEmpty()) {
        b.append(per.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(",", "(", ")")));
      }
    }
    return b.toString();
  }

  /**
   * Asserts that every kind of fault was applied at least once and every obligation was met: a run
   * that silently stopped covering something fails here.
   */
  void assertCovers(String suite, List<Obligation> required, List<Obligation> unmet) {
    assertThat(unmet).as("%s: scheduled faults whose endpoint was never called (injected: %s)", suite, summary())
        .isEmpty();
    for (Kind k : Kind.values()) {
      assertThat(count(k)).as("%s: %s faults applied (injected: %s)", suite, k, summary()).isPositive();
    }
    for (Obligation o : required) {
      assertThat(count(o)).as("%s: %s applied (injected: %s)", suite, o, summary()).isPositive();
    }
  }
}
