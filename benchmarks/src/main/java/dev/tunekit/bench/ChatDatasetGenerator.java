package dev.tunekit.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * Writes a realistic chat fine-tuning dataset: one shared system prompt (or, with {@code distinct}, a system
 * prompt of its own for every example, of realistic length: 350 to 700 characters), varied user questions
 * (some in French, German, Japanese, Chinese, with emoji), JSON answers from the assistant, a fifth of them
 * multi-turn. Deterministic for a seed.
 */
final class ChatDatasetGenerator {
  private static final String SYSTEM = "You are OrderBot, the assistant of an online shop. Translate the "
      + "customer's request into a JSON query for the orders API with the fields \\\"intent\\\", "
      + "\\\"filters\\\" and \\\"limit\\\". Answer with JSON only, no prose. If the request is ambiguous, set "
      + "\\\"intent\\\" to \\\"clarify\\\" and ask one short question in the \\\"question\\\" field.";
  private static final String[] ASKS = {
      "Show me my last %d orders", "Which orders over %d dollars shipped to %s?", "Cancel order #%d please",
      "Where is the parcel I ordered %d days ago from %s?", "List refunds above %d EUR for customers in %s",
      "Combien de commandes ai-je passées depuis %d jours à %s ?", "Zeig mir alle Bestellungen über %d Euro aus %s",
      "%d日以内に%sへ発送された注文を見せてください", "请列出最近%d天发往%s的订单", "Any order with more than %d items to %s? 📦",
      "I need the invoices for the %d orders I made in %s, thanks! 🙏", "Did my order %d to %s arrive? It's urgent!!"};
  private static final String[] PLACES = {"Paris", "Zürich", "São Paulo", "東京", "北京", "New York", "Kraków",
      "Reykjavík", "Cape Town", "Montréal", "München", "Ōsaka", "Seoul"};
  private static final String[] INTENTS = {"list_orders", "cancel_order", "track_parcel", "list_refunds",
      "count_orders", "invoices"};

  private static final String[] NAMES = {"OrderBot", "Ava", "ShopHelper", "Milo", "Kaito", "Léa", "Jonas", "Sofía"};
  private static final String[] SHOPS = {"an online shop for outdoor gear", "a bookshop", "a furniture store",
      "a pharmacy chain", "a grocery delivery service", "an electronics retailer", "a fashion marketplace"};
  private static final String[] RULES = {
      "Never invent order numbers; if the customer gives none, leave \\\"order_id\\\" out.",
      "Dates are relative to today; convert \\\"last week\\\" into \\\"since_days\\\": 7.",
      "Amounts are in %s unless the customer names another currency.",
      "Use \\\"limit\\\": %d when the customer does not say how many results to return.",
      "Destinations are city names in their local spelling (for example München, São Paulo, 東京).",
      "If the customer is angry, keep the JSON neutral; tone is handled elsewhere.",
      "Refunds older than %d days go to the \\\"list_refunds\\\" intent with \\\"archived\\\": true.",
      "Answer in the customer's language only inside the \\\"question\\\" field.",
      "Escalate to a human (intent \\\"handoff\\\") for legal or medical questions.",
      "Customer tier %s gets free returns; mention it only when asked."};
  private static final String[] CURRENCIES = {"EUR", "USD", "CHF", "JPY", "GBP", "BRL"};

  private ChatDatasetGenerator() {}

  /** Writes about {@code targetBytes} bytes to {@code out} (through a temporary file), with one shared system prompt. */
  static void generate(Path out, long targetBytes, long seed) throws IOException {
    generate(out, targetBytes, seed, false);
  }

  /**
   * Writes about {@code targetBytes} bytes to {@code out} (through a temporary file); with {@code distinct},
   * every example has a system prompt of its own.
   */
  static void generate(Path out, long targetBytes, long seed, boolean distinct) throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    SplittableRandom r = new SplittableRandom(seed);
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder(2048);
      while (written < targetBytes) {
        line.setLength(0);
        line.append("{\"messages\":[{\"role\":\"system\",\"content\":\"");
        if (distinct) {
          appendSystem(line, r);
        } else {
          line.append(SYSTEM);
        }
        line.append("\"}");
        int turns = r.nextInt(5) == 0 ? 2 + r.nextInt(2) : 1;
        for (int t = 0; t < turns; t++) {
          String ask = String.format(ASKS[r.nextInt(ASKS.length)], 1 + r.nextInt(500), PLACES[r.nextInt(PLACES.length)]);
          line.append(",{\"role\":\"user\",\"content\":\"").append(ask);
          if (r.nextInt(3) == 0) {
            line.append(" Also, ").append(ASKS[r.nextInt(ASKS.length)].replace("%d", Integer.toString(r.nextInt(90)))
                .replace("%s", PLACES[r.nextInt(PLACES.length)]).toLowerCase(java.util.Locale.ROOT));
          }
          line.append("\"},{\"role\":\"assistant\",\"content\":\"");
          appendAnswer(line, r);
          line.append("\"}");
        }
        line.append("]}\n");
        w.append(line);
        written += utf8Length(line);
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A system prompt of its own: persona, shop, 3 to 6 of the rules in random order, numbers, a date. */
  private static void appendSystem(StringBuilder s, SplittableRandom r) {
    String currency = CURRENCIES[r.nextInt(CURRENCIES.length)];
    s.append("You are ").append(NAMES[r.nextInt(NAMES.length)]).append(", the assistant of ")
        .append(SHOPS[r.nextInt(SHOPS.length)]).append(" (store #").append(1000 + r.nextInt(9000)).append(" in ")
        .append(PLACES[r.nextInt(PLACES.length)]).append("). Translate the customer's request into a JSON query for the ")
        .append("orders API v").append(1 + r.nextInt(4)).append('.').append(r.nextInt(20))
        .append(" with the fields \\\"intent\\\", \\\"filters\\\" and \\\"limit\\\". Answer with JSON only.");
    int rules = 3 + r.nextInt(4);
    int first = r.nextInt(RULES.length);
    for (int i = 0; i < rules; i++) {
      String rule = RULES[(first + i * 3) % RULES.length];
      s.append(' ').append(rule.replaceFirst("%s", r.nextInt(2) == 0 ? currency : "gold")
          .replaceFirst("%d", Integer.toString(5 + r.nextInt(180))));
    }
    s.append(" Today is 2026-").append(String.format(java.util.Locale.ROOT, "%02d-%02d", 1 + r.nextInt(12),
        1 + r.nextInt(28))).append('.');
  }

  private static void appendAnswer(StringBuilder s, SplittableRandom r) {
    s.append("{\\\"intent\\\": \\\"").append(INTENTS[r.nextInt(INTENTS.length)]).append("\\\", \\\"filters\\\": {");
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        s.append(", ");
      }
      switch (r.nextInt(4)) {
        case 0:
          s.append("\\\"min_total\\\": ").append(r.nextInt(10_000) / 100.0);
          break;
        case 1:
          s.append("\\\"destination\\\": \\\"").append(PLACES[r.nextInt(PLACES.length)]).append("\\\"");
          break;
        case 2:
          s.append("\\\"since_days\\\": ").append(1 + r.nextInt(365));
          break;
        default:
          s.append("\\\"order_id\\\": \\\"ORD-").append(100_000 + r.nextInt(900_000)).append("\\\"");
      }
    }
    s.append("}, \\\"limit\\\": ").append(1 + r.nextInt(100)).append('}');
  }

  private static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
