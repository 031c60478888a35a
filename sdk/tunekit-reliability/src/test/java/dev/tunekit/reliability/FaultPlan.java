package dev.tunekit.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which request gets which fault: with probability {@code rate} a request gets one, decided by a
 * {@link Random} reseeded per run so a run's faults reproduce. Creating calls ({@code POST /files},
 * {@code POST /uploads}, {@code POST /uploads/ID/complete}, {@code POST /fine_tuning/jobs}) get half
 * their faults as {@link Kind#COMMIT_THEN_DROP}. Counts what it decided, by kind.
 *
 * <p>On top of chance, a plan can carry a <em>schedule</em> of {@link Obligation obligations}: each a
 * fault kind on an endpoint that the suite must exercise. The schedule spreads them over the suite's
 * runs (seeded), and the first request to that endpoint in (or after) an obligation's run gets that
 * fault. So even a short smoke run is guaranteed to inject every kind where it matters, however the
 * dice fall; the suites then check, from the injector's own record, that each one really happened.
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

  /** The endpoints faults are counted and scheduled on. */
  enum Endpoint {
    /** {@code POST /files}: a whole-file upload (creates a file). */
    FILES,
    /** {@code POST /uploads}: creates an Uploads API session. */
    UPLOADS,
    /** {@code POST /uploads/ID/parts}: one part of a multipart upload. */
    PARTS,
    /** {@code POST /uploads/ID/complete}: completes a multipart upload (creates the file). */
    COMPLETE,
    /** {@code POST /fine_tuning/jobs}: creates a job. */
    JOBS,
    /** {@code GET /fine_tuning/jobs/ID}: polls a job. */
    POLL,
    /** Anything else: lists, events, checkpoints, models. */
    OTHER;

    static Endpoint of(String method, String path) {
      String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
      if (method.equals("POST")) {
        if (p.endsWith("/files")) {
          return FILES;
        }
        if (p.endsWith("/uploads")) {
          return UPLOADS;
        }
        if (p.contains("/uploads/") && p.endsWith("/parts")) {
          return PARTS;
        }
        if (p.contains("/uploads/") && p.endsWith("/complete")) {
          return COMPLETE;
        }
        if (p.endsWith("/fine_tuning/jobs")) {
          return JOBS;
        }
      } else if (method.equals("GET") && p.matches(".*/fine_tuning/jobs/[^/]+")) {
        return POLL;
      }
      return OTHER;
    }
  }

  /** A fault that the suite must inject at least once on an endpoint. */
  record Obligation(Kind kind, Endpoint endpoint) {
    @Override
    public String toString() {
      return kind.name().toLowerCase(Locale.ROOT) + "@" + endpoint.name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Kind[] GENERIC = {Kind.HTTP_500, Kind.HTTP_503, Kind.HTTP_429, Kind.RESET, Kind.SLOW};

  private final double rate;
  private Random random = new Random(0);
  private volatile boolean enabled = true;
  private final AtomicLong requests = new AtomicLong();
  private final Map<Kind, AtomicLong> faults = new EnumMap<>(Kind.class);
  private final AtomicLong faultsOnCreates = new AtomicLong();
  /** The schedule: obligations not yet met, each with the run from which it is due. */
  private final Map<Obligation, Integer> pending = new LinkedHashMap<>();
  private final List<Obligation> required = new ArrayList<>();
  private final AtomicLong forced = new AtomicLong();
  private int run;

  FaultPlan(double rate) {
    this.rate = rate;
    for (Kind k : Kind.values()) {
      faults.put(k, new AtomicLong());
    }
  }

  /**
   * Schedules {@code obligations} over {@code runs} runs: a seeded shuffle, spread evenly, so each is
   * due in its own run where runs allow. An obligation not met in its run (its endpoint was not
   * called there) stays due in the following runs.
   */
  synchronized FaultPlan schedule(List<Obligation> obligations, int runs, long seed) {
    List<Obligation> order = new ArrayList<>(obligations);
    Collections.shuffle(order, new Random(seed));
    for (int j = 0; j < order.size(); j++) {
      pending.put(order.get(j), (int) ((long) j * Math.max(1, runs) / order.size()));
    }
    required.addAll(obligations);
    return this;
  }

  /** Restarts the fault sequence from {@code seed} (once per run, so each run's faults reproduce). */
  synchronized void reseed(long seed) {
    // Mixed first: java.util.Random's first draws for neighbouring seeds are correlated.
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    this.random = new Random(z ^ (z >>> 31));
  }

  /** Starts run {@code run} (0-based) of the suite: reseeds, and makes its scheduled obligations due. */
  synchronized void beginRun(int run, long seed) {
    this.run = run;
    reseed(seed);
  }

  /** Turns fault injection on or off. */
  void enabled(boolean on) {
    this.enabled = on;
  }

  /** The fault for this request, or null to serve it cleanly. Counts it. */
  synchronized Kind decide(String method, String path) {
    requests.incrementAndGet();
    if (!enabled) {
      return null;
    }
    Endpoint endpoint = Endpoint.of(method, path);
    Kind k = null;
    for (Map.Entry<Obligation, Integer> due : pending.entrySet()) {
      if (due.getValue() <= run && due.getKey().endpoint() == endpoint) {
        k = due.getKey().kind();
        pending.remove(due.getKey());
        forced.incrementAndGet();
        break;
      }
    }
    if (k == null) {
      if (random.nextDouble() >= rate) {
        return null;
      }
      boolean create = isCreate(method, path);
      k = create && random.nextBoolean() ? Kind.COMMIT_THEN_DROP : GENERIC[random.nextInt(GENERIC.length)];
    }
    faults.get(k).incrementAndGet();
    if (isCreate(method, path)) {
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

  /** Faults injected by the schedule (the rest came by chance). */
  long forced() {
    return forced.get();
  }

  /** The obligations this plan was given. */
  synchronized List<Obligation> required() {
    return List.copyOf(required);
  }

  /** Scheduled obligations whose endpoint was never called after they fell due. */
  synchronized List<Obligation> unmet() {
    return List.copyOf(pending.keySet());
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
