package dev.tunekit.spi;

import dev.tunekit.model.MetricPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Cursor helpers for providers whose API cannot read "only what is new" and must list everything on
 * each read. Such a provider re-reads the whole list, but these helpers make sure it never
 * re-delivers: only the items after the cursor are returned. Providers that can page from a position
 * (an {@code after} parameter) should do that instead.
 */
public final class Cursors {
  private Cursors() {}

  /**
   * The items of {@code all} (a list that only grows at its end, oldest first) after {@code after},
   * with a cursor counting the items seen.
   */
  public static <T> Page<T> byIndex(List<T> all, Optional<Cursor> after) {
    int from = after.map(c -> parse(c.value())).orElse(0);
    if (from >= all.size()) {
      return new Page<>(List.of(), all.isEmpty() && after.isEmpty() ? Optional.empty()
          : Optional.of(new Cursor(Integer.toString(Math.max(from, all.size())))));
    }
    return new Page<>(all.subList(from, all.size()), Optional.of(new Cursor(Integer.toString(all.size()))));
  }

  /**
   * The points of {@code all} (any order) with a step after the cursor's step, by step, with a cursor
   * holding the last step returned. Safe when the provider changes where it reads metrics from (events
   * while training, a result file at the end): a step is delivered once.
   */
  public static Page<MetricPoint> byStep(List<MetricPoint> all, Optional<Cursor> after) {
    long last = after.map(c -> parseLong(c.value())).orElse(Long.MIN_VALUE);
    List<MetricPoint> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingLong(MetricPoint::step));
    List<MetricPoint> out = new ArrayList<>();
    long max = last;
    for (MetricPoint p : sorted) {
      if (p.step() > max) {
        out.add(p);
        max = p.step();
      }
    }
    return new Page<>(out, max == Long.MIN_VALUE ? Optional.empty() : Optional.of(new Cursor(Long.toString(max))));
  }

  /**
   * The items of {@code all} (a small list re-derived on every read, in which items may appear
   * anywhere) whose id was not delivered yet, in list order; the cursor holds every id delivered. For
   * short synthesized lists only (such as events derived from a job's description): the cursor grows
   * with the list.
   */
  public static <T> Page<T> byId(List<T> all, Function<T, String> id, Optional<Cursor> after) {
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    after.ifPresent(c -> seen.addAll(List.of(c.value().split("\n"))));
    List<T> out = new ArrayList<>();
    for (T item : all) {
      if (seen.add(id.apply(item))) {
        out.add(item);
      }
    }
    if (seen.isEmpty()) {
      return new Page<>(out, Optional.empty());
    }
    return new Page<>(out, out.isEmpty() ? after : Optional.of(new Cursor(String.join("\n", seen))));
  }

  /**
   * Reads every page from the beginning: {@code read} is called with the cursor of the previous page
   * until a page brings nothing new. For "everything so far" views ({@code run.events()}).
   */
  public static <T> List<T> readAll(Function<Optional<Cursor>, Page<T>> read) {
    List<T> all = new ArrayList<>();
    Optional<Cursor> cursor = Optional.empty();
    for (int guard = 0; guard < 1_000_000; guard++) {
      Page<T> page = read.apply(cursor);
      all.addAll(page.items());
      if (page.items().isEmpty() || page.next().isEmpty() || page.next().equals(cursor)) {
        return all;
      }
      cursor = page.next();
    }
    return all;
  }

  private static int parse(String value) {
    try {
      return Math.max(0, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      throw new dev.tunekit.error.InvalidInputException("not a cursor of this provider: " + value, null, e);
    }
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new dev.tunekit.error.InvalidInputException("not a cursor of this provider: " + value, null, e);
    }
  }
}
