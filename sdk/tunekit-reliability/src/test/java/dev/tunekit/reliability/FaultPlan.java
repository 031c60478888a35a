package dev.tunekit.reliability;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which request gets which fault: with probability {@code rate} a request gets one, decided by a
 * {@link Random} reseeded per run so a run's faults reproduce. Creating calls ({@code POST /files},
 * {@code POST /uploads}, {@code POST /uploads/ID/complete}, {@code POST /fine_tuning/jobs}) get half
 * their faults as
 * {@link Kind#COMMIT_THEN_DROP}. Counts what it decided, by kind.
 */
final class FaultPlan {
  /** What is done to a request instead of serving it cleanly. */
  enum Kind {
    /** 500 with an OpenAI-shaped error body; the server never sees the request. */
    HTTP_500,
    /** 503; the server never sees the request. */
    HTTP_503,
    /** 429 with {@code retry-after-ms}; the server never sees the request. */
    HTTP_429,
    /** The connection is reset after the request was read; the server never sees it. */
    RESET,
    /** Served, but the reply comes later than the client's timeout. */
    SLOW,
    /** Served (so it takes effect on the server), then the connection is reset without a reply. */
    COMMIT_THEN_DROP;

    /** Whether the server processes the request before the fault hits. */
    boolean reachesServer() {
      return this == SLOW || this == COMMIT_THEN_DROP;
    }
  }

  private static final Kind[] GENERIC = {Kind.HTTP_500, Kind.HTTP_503, Kind.HTTP_429, Kind.RESET, Kind.SLOW};

  private final double rate;
  private Random random = new Random(0);
  private volatile boolean enabled = true;
  private final AtomicLong requests = new AtomicLong();
  private final Map<Kind, AtomicLong> faults = new EnumMap<>(Kind.class);
  private final AtomicLong faultsOnCreates = new AtomicLong();

  FaultPlan(double rate) {
    this.rate = rate;
    for (Kind k : Kind.values()) {
      faults.put(k, new AtomicLong());
    }
  }

  /** Restarts the fault sequence from {@code seed} (once per run, so each run's faults reproduce). */
  synchronized void reseed(long seed) {
    // Mixed first: java.util.Random's first draws for neighbouring seeds are correlated.
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    this.random = new Random(z ^ (z >>> 31));
  }

  /** Turns fault injection on or off. */
  void enabled(boolean on) {
    this.enabled = on;
  }

  /** The fault for this request, or null to serve it cleanly. Counts it. */
  synchronized Kind decide(String method, String path) {
    requests.incrementAndGet();
    if (!enabled || random.nextDouble() >= rate) {
      return null;
    }
    boolean create = isCreate(method, path);
    Kind k = create && random.nextBoolean() ? Kind.COMMIT_THEN_DROP : GENERIC[random.nextInt(GENERIC.length)];
    faults.get(k).incrementAndGet();
    if (create) {
      faultsOnCreates.incrementAndGet();
    }
    return k;
  }

  static boolean isCreate(String method, String path) {
    if (!method.equals("POST")) {
      return false;
    }
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    return p.endsWith("/files") || p.endsWith("/uploads") || p.endsWith("/complete") || p.endsWith("/fine_tuning/jobs");
  }

  long requests() {
    return requests.get();
  }

  long faults(Kind kind) {
    return faults.get(kind).get();
  }

  long totalFaults() {
    return faults.values().stream().mapToLong(AtomicLong::get).sum();
  }

  long faultsOnCreates() {
    return faultsOnCreates.get();
  }

  /** {@code http_500=12 http_503=9 ...}: faults decided, by kind. */
  String summary() {
    List<String> parts = new ArrayList<>();
    faults.forEach((k, n) -> parts.add(k.name().toLowerCase(Locale.ROOT) + "=" + n.get()));
    return String.join(" ", parts);
  }

  /** An OpenAI-shaped error body. */
  static byte[] errorBody(String message, String type) {
    return ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":null}}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
