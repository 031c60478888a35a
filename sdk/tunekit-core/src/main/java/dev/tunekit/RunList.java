package dev.tunekit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Function;

/**
 * The runs in the ledger, newest first, as returned by {@link Tunekit#runs()}: an unmodifiable
 * {@code List<RunInfo>} for code, whose {@link #toString()} is a table for people — what JShell shows
 * for {@code tk.runs()}: a header, then one line per run with its id, provider, state, base model,
 * tuned model and when it was created and last updated ({@link #table()}).
 *
 * <p>Equality is list equality ({@link java.util.List#equals}).
 */
public final class RunList extends AbstractList<RunInfo> implements RandomAccess {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private final List<RunInfo> runs;

  /** The given runs, in that order (copied). */
  public RunList(List<RunInfo> runs) {
    this.runs = List.copyOf(Objects.requireNonNull(runs, "runs"));
  }

  @Override
  public RunInfo get(int index) {
    return runs.get(index);
  }

  @Override
  public int size() {
    return runs.size();
  }

  /**
   * The table: a header line, then one line per run with its id, provider, state, base model, tuned
   * model ({@code -} until there is one), and when it was created and last updated (UTC, to the minute).
   * Without runs: {@code (no runs in the ledger)}.
   */
  public String table() {
    if (runs.isEmpty()) {
      return "(no runs in the ledger)";
    }
    List<Column> columns = List.of(
        new Column("RUN", RunInfo::id),
        new Column("PROVIDER", RunInfo::provider),
        new Column("STATE", r -> r.state().name()),
        new Column("BASE MODEL", RunInfo::baseModel),
        new Column("TUNED MODEL", r -> r.fineTunedModel().orElse("-")),
        new Column("CREATED (UTC)", r -> time(r.createdAt())),
        new Column("UPDATED (UTC)", r -> time(r.updatedAt())));
    int[] width = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      width[c] = columns.get(c).header().length();
      for (RunInfo r : runs) {
        width[c] = Math.max(width[c], columns.get(c).value().apply(r).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    appendRow(sb, width, c -> columns.get(c).header());
    for (RunInfo r : runs) {
      sb.append('\n');
      appendRow(sb, width, c -> columns.get(c).value().apply(r));
    }
    return sb.toString();
  }

  /** {@link #table()}. */
  @Override
  public String toString() {
    return table();
  }

  private record Column(String header, Function<RunInfo, String> value) {}

  private static void appendRow(StringBuilder sb, int[] width, java.util.function.IntFunction<String> cell) {
    int start = sb.length();
    for (int c = 0; c < width.length; c++) {
      String v = cell.apply(c);
      sb.append(v);
      if (c < width.length - 1) {
        sb.append(" ".repeat(width[c] - v.length() + 2));
      }
    }
    // no trailing blanks
    while (sb.length() > start && sb.charAt(sb.length() - 1) == ' ') {
      sb.setLength(sb.length() - 1);
    }
  }

  private static String time(Instant t) {
    return TIME.format(t);
  }
}
