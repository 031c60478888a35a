package dev.tunekit.examples.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A parser for the small query DSL the natural-language assistant example produces:
 *
 * <pre>
 * FIND orders WHERE status = "shipped" AND total &gt; 100 SORT BY created DESC LIMIT 10
 * </pre>
 *
 * <p>Grammar (keywords case-insensitive, a trailing {@code ;} allowed):
 * {@code FIND entity [WHERE cond (AND cond)*] [SORT BY field [ASC|DESC] (, field [ASC|DESC])*] [LIMIT n]},
 * where {@code cond} is {@code field op value}, {@code op} one of {@code = != > >= < <= CONTAINS IN},
 * and {@code value} a quoted string, a number, {@code true}, {@code false}, {@code null}, or for
 * {@code IN} a parenthesised list. Parsing into fields is what lets a grader compare two queries by
 * meaning (condition order, quoting, {@code 100} vs {@code 100.0}) rather than by text.
 */
public final class QueryDsl {
  private QueryDsl() {}

  /**
   * A parsed query.
   *
   * @param entity what to find, lower-cased
   * @param conditions the WHERE conditions, as a set (order does not matter)
   * @param sort the SORT BY keys, in order
   * @param limit the LIMIT, if any
   */
  public record Query(String entity, Set<Condition> conditions, List<SortKey> sort, OptionalInt limit) {}

  /**
   * One condition, normalised: field lower-cased, operator upper-cased, values canonical.
   *
   * @param field the field
   * @param op the operator
   * @param value the canonical value text: a quoted string, a plain number, true/false/null, or (a, b)
   */
  public record Condition(String field, String op, String value) {
    @Override
    public String toString() {
      return field + " " + op + " " + value;
    }
  }

  /**
   * One sort key.
   *
   * @param field the field, lower-cased
   * @param descending whether DESC was given
   */
  public record SortKey(String field, boolean descending) {
    @Override
    public String toString() {
      return field + (descending ? " DESC" : " ASC");
    }
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what was expected at which character
   */
  public static Query parse(String text) {
    return new Parser(tokenize(Objects.requireNonNull(text, "text"))).query();
  }

  private enum Kind { WORD, STRING, NUMBER, OP, COMMA, LPAREN, RPAREN, SEMI, END }

  private record Token(Kind kind, String text, int pos) {
    boolean isKeyword(String kw) {
      return kind == Kind.WORD && text.equalsIgnoreCase(kw);
    }
  }

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new Token(Kind.WORD, s.substring(i, j), i));
        i = j;
      } else if (Character.isDigit(c) || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
        int j = i + 1;
        while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new Token(Kind.NUMBER, s.substring(i, j), i));
        i = j;
      } else if (c == '"' || c == '\'') {
        StringBuilder sb = new StringBuilder();
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c) {
          if (s.charAt(j) == '\\' && j + 1 < s.length()) {
            j++;
          }
          sb.append(s.charAt(j++));
        }
        if (j >= s.length()) {
          throw new IllegalArgumentException("unterminated string starting at char " + i);
        }
        out.add(new Token(Kind.STRING, sb.toString(), i));
        i = j + 1;
      } else if ("=!<>".indexOf(c) >= 0) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '=') {
          j++;
        }
        String op = s.substring(i, j);
        if (op.equals("!")) {
          throw new IllegalArgumentException("'!' must be followed by '=' at char " + i);
        }
        out.add(new Token(Kind.OP, op, i));
        i = j;
      } else if (c == ',') {
        out.add(new Token(Kind.COMMA, ",", i++));
      } else if (c == '(') {
        out.add(new Token(Kind.LPAREN, "(", i++));
      } else if (c == ')') {
        out.add(new Token(Kind.RPAREN, ")", i++));
      } else if (c == ';') {
        out.add(new Token(Kind.SEMI, ";", i++));
      } else {
        throw new IllegalArgumentException("unexpected character '" + c + "' at char " + i);
      }
    }
    out.add(new Token(Kind.END, "end of query", s.length()));
    return out;
  }

  private static final class Parser {
    private final List<Token> tokens;
    private int at;

    Parser(List<Token> tokens) {
      this.tokens = tokens;
    }

    Query query() {
      keyword("FIND");
      String entity = word("an entity after FIND").toLowerCase(Locale.ROOT);
      Set<Condition> conditions = new LinkedHashSet<>();
      List<SortKey> sort = new ArrayList<>();
      OptionalInt limit = OptionalInt.empty();
      if (peek().isKeyword("WHERE")) {
        at++;
        conditions.add(condition());
        while (peek().isKeyword("AND")) {
          at++;
          conditions.add(condition());
        }
      }
      if (peek().isKeyword("SORT")) {
        at++;
        keyword("BY");
        sort.add(sortKey());
        while (peek().kind() == Kind.COMMA) {
          at++;
          sort.add(sortKey());
        }
      }
      if (peek().isKeyword("LIMIT")) {
        at++;
        Token n = next();
        if (n.kind() != Kind.NUMBER || !n.text().matches("\\d+")) {
          throw expected("a whole number after LIMIT", n);
        }
        limit = OptionalInt.of(Integer.parseInt(n.text()));
      }
      if (peek().kind() == Kind.SEMI) {
        at++;
      }
      if (peek().kind() != Kind.END) {
        throw expected("WHERE, AND, SORT BY, LIMIT or the end", peek());
      }
      return new Query(entity, conditions, sort, limit);
    }

    private Condition condition() {
      String field = word("a field name").toLowerCase(Locale.ROOT);
      Token op = next();
      String o;
      if (op.kind() == Kind.OP) {
        o = op.text();
      } else if (op.isKeyword("CONTAINS") || op.isKeyword("IN")) {
        o = op.text().toUpperCase(Locale.ROOT);
      } else {
        throw expected("an operator (=, !=, >, >=, <, <=, CONTAINS, IN)", op);
      }
      if (o.equals("IN")) {
        if (next().kind() != Kind.LPAREN) {
          throw expected("'(' after IN", tokens.get(at - 1));
        }
        List<String> values = new ArrayList<>();
        values.add(value());
        while (peek().kind() == Kind.COMMA) {
          at++;
          values.add(value());
        }
        if (next().kind() != Kind.RPAREN) {
          throw expected("')' to close IN (…)", tokens.get(at - 1));
        }
        values.sort(null);
        return new Condition(field, o, "(" + String.join(", ", values) + ")");
      }
      return new Condition(field, o, value());
    }

    private String value() {
      Token v = next();
      switch (v.kind()) {
        case STRING:
          return "\"" + v.text() + "\"";
        case NUMBER:
          try {
            BigDecimal d = new BigDecimal(v.text()).stripTrailingZeros();
            return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
          } catch (NumberFormatException e) {
            throw expected("a number", v);
          }
        case WORD:
          if (v.isKeyword("true") || v.isKeyword("false") || v.isKeyword("null")) {
            return v.text().toLowerCase(Locale.ROOT);
          }
          throw expected("a value (quoted string, number, true, false, null); quote text values", v);
        default:
          throw expected("a value", v);
      }
    }

    private SortKey sortKey() {
      String field = word("a field to sort by").toLowerCase(Locale.ROOT);
      boolean desc = false;
      if (peek().isKeyword("DESC")) {
        at++;
        desc = true;
      } else if (peek().isKeyword("ASC")) {
        at++;
      }
      return new SortKey(field, desc);
    }

    private void keyword(String kw) {
      Token t = next();
      if (!t.isKeyword(kw)) {
        throw expected(kw, t);
      }
    }

    private String word(String what) {
      Token t = next();
      if (t.kind() != Kind.WORD) {
        throw expected(what, t);
      }
      return t.text();
    }

    private Token peek() {
      return tokens.get(at);
    }

    private Token next() {
      Token t = tokens.get(at);
      if (t.kind() != Kind.END) {
        at++;
      }
      return t;
    }

    private static IllegalArgumentException expected(String what, Token got) {
      return new IllegalArgumentException("expected " + what + " at char " + got.pos() + ", found "
          + (got.kind() == Kind.END ? "the end" : "'" + got.text() + "'"));
    }
  }
}
