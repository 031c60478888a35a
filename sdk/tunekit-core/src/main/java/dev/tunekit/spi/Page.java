package dev.tunekit.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One read of a growing list, oldest first, and where the next read starts.
 *
 * @param items what is new since the cursor the read started from, oldest first
 * @param next the cursor for the next read: after the last item returned (or the cursor passed in,
 *     when nothing is new); empty only when the read started from the beginning and found nothing
 * @param <T> the item type
 */
public record Page<T>(List<T> items, Optional<Cursor> next) {
  /** Canonical constructor. */
  public Page {
    items = List.copyOf(items);
    Objects.requireNonNull(next, "next");
  }
}
