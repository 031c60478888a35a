import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the Tunekit quickstart dataset: questions about a small shop's data (customers, products,
 * orders) paired with the query, in a compact query language ({@code FIND orders WHERE status =
 * "shipped" AND total > 100 SORT BY total DESC LIMIT 10}), that answers them.
 *
 * <p>Deterministic: the same program writes the same bytes. Run it from the repository root with
 * {@code java examples/data/nl2query/GenerateNl2QueryDataset.java examples/data/nl2query}.
 *
 * <p>Every intent has eight question templates: the first six produce the training and validation
 * sets, the last two (different wording) produce the held-out evaluation set, so a model has to
 * generalise from paraphrases rather than recall a question it has seen. Entity values (cities,
 * names, products, numbers, dates) are drawn per example; the held-out pools also contain values that
 * never occur in training.
 */
public final class GenerateNl2QueryDataset {

  static final String SYSTEM_PROMPT = "You translate questions about the shop's data into one query in the shop "
      + "query language: FIND <entity> [WHERE <field> <op> <value> (AND ...)] [SORT BY <field> ASC|DESC] [LIMIT <n>], "
      + "with ops = != > >= < <=, strings and dates in double quotes. "
      + "Entities and fields: customers(name, email, city, country, tier, signup_date, order_count, total_spent); "
      + "products(name, category, price, stock, units_sold); "
      + "orders(id, customer.name, customer.city, status, total, created, order_year, age_days). "
      + "Answer with the query only.";

  record Intent(String name, String query, List<String> templates) {}

  static final List<Intent> INTENTS = List.of(
      new Intent("customers_in_city", "FIND customers WHERE city = \"{city}\"", List.of(
          "List the customers who live in {city}.",
          "Which customers are based in {city}?",
          "Show me names and emails of customers from {city}.",
          "Give me all customers located in {city}.",
          "Who are our customers in {city}?",
          "Find customers whose city is {city}.",
          "I need the contact emails for everyone living in {city}.",
          "Customers residing in {city}: names and emails please.")),
      new Intent("frequent_customers", "FIND customers WHERE order_count > {orders} SORT BY order_count DESC", List.of(
          "Which customers have placed more than {orders} orders?",
          "List customers with over {orders} orders.",
          "Show customers who ordered more than {orders} times.",
          "Find customers whose order count exceeds {orders}.",
          "Give me customers with more than {orders} orders, most first.",
          "Who has made more than {orders} orders?",
          "Loyal shoppers with over {orders} purchases?",
          "Customers that have ordered from us more than {orders} times?")),
      new Intent("category_under_price", "FIND products WHERE category = \"{cat}\" AND price < {price}", List.of(
          "Show {cat} products cheaper than {price}.",
          "List {cat} items priced under {price}.",
          "Which {cat} products cost less than {price}?",
          "Find products in the {cat} category below {price}.",
          "Give me {cat} products with a price under {price}.",
          "What {cat} products can I get for less than {price}?",
          "Any {cat} products under {price} in price?",
          "I'm looking for cheap {cat} stuff, below {price}.")),
      new Intent("most_expensive_products", "FIND products SORT BY price DESC LIMIT {k}", List.of(
          "What are the {k} most expensive products?",
          "Show the top {k} products by price.",
          "List the {k} priciest products.",
          "Give me the {k} highest priced products.",
          "Which {k} products cost the most?",
          "Top {k} products ordered by price, highest first.",
          "Rank products by price and show the first {k}.",
          "I want to see our {k} most costly products.")),
      new Intent("low_stock", "FIND products WHERE stock < {stock} SORT BY stock ASC", List.of(
          "Which products have fewer than {stock} units in stock?",
          "List products with stock below {stock}.",
          "Show products that are running low, under {stock} in stock.",
          "Find items whose stock is less than {stock}.",
          "What products have less than {stock} left in stock?",
          "Products with a stock level under {stock}, lowest first.",
          "Which items are almost sold out (stock under {stock})?",
          "Show me everything with under {stock} units left.")),
      new Intent("orders_with_status", "FIND orders WHERE status = \"{status}\"", List.of(
          "Show all {status} orders.",
          "List the orders that are {status}.",
          "Which orders have status {status}?",
          "Find orders with the status {status}.",
          "Give me every order marked as {status}.",
          "What orders are currently {status}?",
          "Pull up the {status} orders with their dates and totals.",
          "I need a list of orders in {status} state.")),
      new Intent("orders_over_total", "FIND orders WHERE total > {total} SORT BY total DESC", List.of(
          "Which orders are worth more than {total}?",
          "List orders with a total above {total}.",
          "Show orders over {total}, biggest first.",
          "Find orders whose total exceeds {total}.",
          "Give me all orders greater than {total} in value.",
          "What orders have a total higher than {total}?",
          "Big orders only: total over {total}, sorted by total.",
          "Orders that cost the customer more than {total}?")),
      new Intent("orders_in_year", "FIND orders WHERE order_year = {year} SORT BY created ASC", List.of(
          "Show all orders from {year}.",
          "List the orders placed in {year}.",
          "Which orders were made during {year}?",
          "Give me every order of {year}, oldest first.",
          "Find orders with an order year of {year}.",
          "What orders did we receive in {year}?",
          "Everything customers ordered back in {year}, in date order.",
          "Pull the {year} orders chronologically.")),
      new Intent("orders_of_customer", "FIND orders WHERE customer.name = \"{name}\" SORT BY created DESC", List.of(
          "Show the orders placed by {name}.",
          "What has {name} ordered?",
          "List all orders from customer {name}.",
          "Find the orders of {name}.",
          "Give me {name}'s orders.",
          "Which orders belong to {name}?",
          "Order history for {name}, please.",
          "Did {name} buy anything? Show their orders.")),
      new Intent("top_customers_by_spend", "FIND customers SORT BY total_spent DESC LIMIT {k}", List.of(
          "Who are the top {k} customers by total spend?",
          "List the {k} customers who spent the most.",
          "Which {k} customers have the highest order totals?",
          "Show our {k} biggest spenders.",
          "Give me the top {k} customers ranked by money spent.",
          "Find the {k} customers with the largest total purchases.",
          "Our {k} most valuable customers by spending?",
          "Rank customers by how much they spent and keep {k}.")),
      new Intent("big_orders_from_city", "FIND orders WHERE customer.city = \"{city}\" AND total > {total}", List.of(
          "Show orders over {total} from customers in {city}.",
          "List orders above {total} placed by {city} customers.",
          "Which orders from {city} are worth more than {total}?",
          "Find orders bigger than {total} from customers living in {city}.",
          "Give me {city} orders with a total above {total}.",
          "What orders over {total} came from {city}?",
          "Large orders (more than {total}) from customers in {city}?",
          "From {city}, any orders exceeding {total}?")),
      new Intent("best_sellers_in_category", "FIND products WHERE category = \"{cat}\" SORT BY units_sold DESC LIMIT {k}", List.of(
          "What are the {k} best-selling {cat} products?",
          "Show the top {k} {cat} products by units sold.",
          "Which {k} {cat} items sold the most?",
          "List the {k} most popular {cat} products by quantity sold.",
          "Give me the {k} {cat} products with the highest sales volume.",
          "Top {k} sellers in {cat}, by units.",
          "In {cat}, which {k} products moved the most units?",
          "Best {k} {cat} sellers by quantity?")),
      new Intent("customers_in_tier", "FIND customers WHERE tier = \"{tier}\"", List.of(
          "List all {tier} tier customers.",
          "Which customers are in the {tier} tier?",
          "Show customers with {tier} membership.",
          "Find our {tier} customers.",
          "Give me the names and emails of {tier} members.",
          "Who has {tier} status in our loyalty program?",
          "Email list of {tier}-tier members, please.",
          "Which shoppers hold a {tier} membership?")),
      new Intent("customers_without_orders", "FIND customers WHERE order_count = 0", List.of(
          "Which customers have never placed an order?",
          "List customers without any orders.",
          "Show customers who have not ordered anything.",
          "Find customers with zero orders.",
          "Who signed up but never bought anything?",
          "Give me customers that have no orders at all.",
          "Customers with no purchase history?",
          "Which registered customers never made an order?")),
      new Intent("recent_orders", "FIND orders WHERE age_days <= {days} SORT BY created DESC", List.of(
          "Show orders from the last {days} days.",
          "List orders placed in the past {days} days.",
          "Which orders were made within the last {days} days?",
          "Find recent orders, last {days} days.",
          "Give me the orders of the past {days} days.",
          "What orders came in during the last {days} days?",
          "Anything ordered in the previous {days} days?",
          "Recent activity: orders placed over the past {days} days.")),
      new Intent("product_price", "FIND products WHERE name = \"{product}\"", List.of(
          "How much does the {product} cost?",
          "What is the price of the {product}?",
          "Show the price for {product}.",
          "Tell me the {product} price.",
          "Price of {product}?",
          "Look up what we charge for the {product}.",
          "What would a {product} set me back?",
          "Current price on the {product}, please.")),
      new Intent("orders_with_status_in_year", "FIND orders WHERE status = \"{status}\" AND order_year = {year}", List.of(
          "Show the {status} orders from {year}.",
          "List orders that were {status} in {year}.",
          "Which {year} orders are {status}?",
          "Find {status} orders placed in {year}.",
          "Give me all orders from {year} with status {status}.",
          "What orders from {year} ended up {status}?",
          "In {year}, which orders got {status}?",
          "All {status} orders for the year {year}, please.")),
      new Intent("out_of_stock_in_category", "FIND products WHERE category = \"{cat}\" AND stock = 0", List.of(
          "Which {cat} products are out of stock?",
          "List {cat} items with no stock left.",
          "Show out-of-stock products in {cat}.",
          "Find {cat} products that are sold out.",
          "Give me the {cat} products we have run out of.",
          "What {cat} items have zero stock?",
          "Anything in {cat} we can't ship because stock is empty?",
          "Sold-out {cat} goods, please.")),
      new Intent("customers_signed_up_after", "FIND customers WHERE signup_date > \"{date}\" SORT BY signup_date ASC", List.of(
          "Which customers signed up after {date}?",
          "List customers who joined after {date}.",
          "Show new customers registered since {date}.",
          "Find customers with a signup date later than {date}.",
          "Give me customers created after {date}.",
          "Who became a customer after {date}?",
          "Customers onboarded after {date}?",
          "Everyone who registered later than {date}, with their signup dates.")),
      new Intent("products_in_price_range", "FIND products WHERE price >= {lo} AND price <= {hi} SORT BY price ASC", List.of(
          "Show products priced between {lo} and {hi}.",
          "List products that cost from {lo} to {hi}.",
          "Which products are in the {lo} to {hi} price range?",
          "Find products with a price between {lo} and {hi}.",
          "Give me items costing between {lo} and {hi}.",
          "What can I buy for between {lo} and {hi}?",
          "Products in the {lo}-{hi} price band?",
          "Anything costing at least {lo} but no more than {hi}?")));

  static final List<String> CITIES = List.of("Berlin", "Paris", "Madrid", "Lisbon", "Vienna", "Oslo", "Dublin",
      "Rome", "Prague", "Warsaw", "Athens", "Zurich", "Amsterdam", "Brussels", "Copenhagen");
  static final List<String> NEW_CITIES = List.of("Helsinki", "Porto", "Lyon", "Krakow", "Seville");
  static final List<String> NAMES = List.of("Ana Lopez", "Ben Carter", "Chloe Martin", "David Novak", "Elena Rossi",
      "Farid Haddad", "Grace Kim", "Hugo Weber", "Ines Costa", "Jonas Berg", "Kaito Sato", "Lea Dubois",
      "Marta Nowak", "Nils Olsen", "Omar Aziz", "Priya Shah");
  static final List<String> NEW_NAMES = List.of("Quinn Murphy", "Rosa Silva", "Tariq Malik");
  static final List<String> PRODUCTS = List.of("Aurora Lamp", "Nimbus Kettle", "Atlas Backpack", "Orbit Headphones",
      "Cedar Desk", "Pixel Camera", "Summit Boots", "Harbor Mug", "Echo Speaker", "Willow Chair", "Comet Drone",
      "Meadow Planter");
  static final List<String> NEW_PRODUCTS = List.of("Zephyr Fan", "Lumen Torch", "Granite Skillet");
  static final List<String> CATEGORIES = List.of("electronics", "books", "toys", "garden", "kitchen", "sports",
      "beauty", "office");
  static final List<String> STATUSES = List.of("pending", "shipped", "delivered", "cancelled", "returned");
  static final List<String> TIERS = List.of("gold", "silver", "bronze", "platinum");
  static final List<Integer> PRICES = List.of(15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, 300, 500);
  static final List<Integer> TOTALS = List.of(100, 150, 200, 250, 300, 400, 500, 750, 1000, 2000);
  static final List<Integer> STOCKS = List.of(3, 5, 10, 12, 15, 20, 25, 50);
  static final List<Integer> KS = List.of(3, 5, 7, 10, 15, 20, 25);
  static final List<Integer> DAYS = List.of(7, 10, 14, 30, 45, 60, 90);
  static final List<Integer> ORDER_COUNTS = List.of(2, 3, 4, 5, 8, 10, 20);
  static final List<Integer> YEARS = List.of(2021, 2022, 2023, 2024, 2025);

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "examples/data/nl2query");
    Files.createDirectories(out);
    Random random = new Random(20261104L);
    List<String> train = new ArrayList<>();
    List<String> validation = new ArrayList<>();
    List<String> heldout = new ArrayList<>();
    for (Intent intent : INTENTS) {
      for (int i = 0; i < 15; i++) {
        train.add(example(intent, intent.templates().get(i % 6), random, false));
      }
      for (int i = 0; i < 2; i++) {
        validation.add(example(intent, intent.templates().get((i * 3 + 1) % 6), random, false));
      }
      for (int i = 0; i < 3; i++) {
        heldout.add(example(intent, intent.templates().get(6 + i % 2), random, true));
      }
    }
    shuffle(train, random);
    shuffle(validation, random);
    shuffle(heldout, random);
    write(out.resolve("train.jsonl"), train);
    write(out.resolve("validation.jsonl"), validation);
    write(out.resolve("heldout.jsonl"), heldout);
    Files.writeString(out.resolve("baseline-system-prompt.txt"), baselinePrompt(), StandardCharsets.UTF_8);
    System.out.println("wrote " + train.size() + " training, " + validation.size() + " validation and "
        + heldout.size() + " held-out examples to " + out);
  }

  /** The prompt-engineered baseline: the same instructions plus a few worked examples. */
  static String baselinePrompt() {
    return SYSTEM_PROMPT + "\n\nExamples:\n\n"
        + "Q: Which customers are based in Berlin?\nA: FIND customers WHERE city = \"Berlin\"\n\n"
        + "Q: Show all shipped orders.\nA: FIND orders WHERE status = \"shipped\"\n\n"
        + "Q: What are the 5 most expensive products?\nA: FIND products SORT BY price DESC LIMIT 5\n\n"
        + "Q: Which customers have placed more than 3 orders?\nA: FIND customers WHERE order_count > 3 SORT BY order_count DESC\n";
  }

  static String example(Intent intent, String template, Random random, boolean heldout) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("city", pick(random, CITIES, heldout ? NEW_CITIES : List.of()));
    values.put("name", pick(random, NAMES, heldout ? NEW_NAMES : List.of()));
    values.put("product", pick(random, PRODUCTS, heldout ? NEW_PRODUCTS : List.of()));
    values.put("cat", pick(random, CATEGORIES, List.of()));
    values.put("status", pick(random, STATUSES, List.of()));
    values.put("tier", pick(random, TIERS, List.of()));
    values.put("price", String.valueOf(pick(random, PRICES, List.of())));
    values.put("total", String.valueOf(pick(random, TOTALS, List.of())));
    values.put("stock", String.valueOf(pick(random, STOCKS, List.of())));
    values.put("k", String.valueOf(pick(random, KS, List.of())));
    values.put("days", String.valueOf(pick(random, DAYS, List.of())));
    values.put("orders", String.valueOf(pick(random, ORDER_COUNTS, List.of())));
    values.put("year", String.valueOf(pick(random, YEARS, List.of())));
    values.put("date", String.format("%d-%02d-%02d", pick(random, YEARS, List.of()), 1 + random.nextInt(12),
        random.nextBoolean() ? 1 : 15));
    int lo = pick(random, PRICES.subList(0, 10), List.of());
    values.put("lo", String.valueOf(lo));
    values.put("hi", String.valueOf(lo * (2 + random.nextInt(4))));
    String question = fill(template, values);
    String query = fill(intent.query(), values);
    return "{\"messages\":[{\"role\":\"system\",\"content\":" + quote(SYSTEM_PROMPT) + "},"
        + "{\"role\":\"user\",\"content\":" + quote(question) + "},"
        + "{\"role\":\"assistant\",\"content\":" + quote(query) + "}]}";
  }

  static <T> T pick(Random random, List<T> pool, List<T> extra) {
    int n = pool.size() + extra.size();
    int i = random.nextInt(n);
    return i < pool.size() ? pool.get(i) : extra.get(i - pool.size());
  }

  static String fill(String template, Map<String, String> values) {
    String s = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      s = s.replace("{" + e.getKey() + "}", e.getValue());
    }
    return s;
  }

  static void shuffle(List<String> list, Random random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        default: b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }
}
