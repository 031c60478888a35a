package dev.tunekit.spi;

import java.util.List;
import java.util.Optional;

/** Cursors that count items, for providers that can only return a whole list. */
final class IndexCursors {
  private IndexCursors() {}

  static <T> Page<T> page(List<T> all, Optional<Cursor> after) {
    int from = after.map(c -> parse(c.value())).orElse(0);
    if (from >= all.size()) {
      return new Page<>(List.of(), all.isEmpty() && after.isEmpty() ? Optional.empty()
          : Optional.of(new Cursor(Integer.toString(Math.max(from, all.size())))));
    }
    return new Page<>(all.subList(from, all.size()), Optional.of(new Cursor(Integer.toString(all.size()))));
  }

  private static int parse(String value) {
    try {
      return Math.max(0, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a cursor of this provider: " + value, e);
    }
  }
}
