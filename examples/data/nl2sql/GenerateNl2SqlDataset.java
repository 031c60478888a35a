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
 * Generates the Tunekit quickstart dataset: questions about a small shop database (customers,
 * products, orders, order items) paired with the SQLite query that answers them.
 *
 * <p>Deterministic: the same program writes the same bytes. Run it from the repository root with
 * {@code java examples/data/nl2sql/GenerateNl2SqlDataset.java examples/data/nl2sql}.
 *
 * <p>Every intent has eight question templates: the first six produce the training and validation
 * sets, the last two (different wording) produce the held-out evaluation set, so a model has to
 * generalise from paraphrases rather than recall a question it has seen. Entity values (cities,
 * names, products, numbers, dates) are drawn per example; the held-out pools also contain values that
 * never occur in training.
 */
public final class GenerateNl2SqlDataset {

  static final String SYSTEM_PROMPT = "You translate questions about the shop database into one SQLite query. "
      + "Schema: customers(id, name, email, city, country, signup_date, tier); "
      + "products(id, name, category, price, stock); "
      + "orders(id, customer_id, order_date, status, total); "
      + "order_items(order_id, product_id, quantity, unit_price). "
      + "Answer with the SQL query only.";

  record Intent(String name, String sql, List<String> templates) {}

  static final List<Intent> INTENTS = List.of(
      new Intent("customers_in_city", "SELECT name, email FROM customers WHERE city = '{city}';", List.of(
          "List the customers who live in {city}.",
          "Which customers are based in {city}?",
          "Show me names and emails of customers from {city}.",
          "Give me all customers located in {city}.",
          "Who are our customers in {city}?",
          "Find customers whose city is {city}.",
          "I need the contact emails for everyone living in {city}.",
          "Customers residing in {city}: names and emails please.")),
      new Intent("count_customers_country", "SELECT COUNT(*) FROM customers WHERE country = '{country}';", List.of(
          "How many customers do we have in {country}?",
          "Count the customers from {country}.",
          "What is the number of customers in {country}?",
          "Number of customers located in {country}?",
          "Tell me how many customers are from {country}.",
          "Give me the customer count for {country}.",
          "What's our total customer count in {country}?",
          "How many people in {country} are registered as customers?")),
      new Intent("category_under_price", "SELECT name, price FROM products WHERE category = '{cat}' AND price < {price};", List.of(
          "Show {cat} products cheaper than {price}.",
          "List {cat} items priced under {price}.",
          "Which {cat} products cost less than {price}?",
          "Find products in the {cat} category below {price}.",
          "Give me {cat} products with a price under {price}.",
          "What {cat} products can I get for less than {price}?",
          "Any {cat} products under {price} in price?",
          "I'm looking for cheap {cat} stuff, below {price}.")),
      new Intent("most_expensive_products", "SELECT name, price FROM products ORDER BY price DESC LIMIT {k};", List.of(
          "What are the {k} most expensive products?",
          "Show the top {k} products by price.",
          "List the {k} priciest products.",
          "Give me the {k} highest priced products.",
          "Which {k} products cost the most?",
          "Top {k} products ordered by price, highest first.",
          "Rank products by price and show the first {k}.",
          "I want to see our {k} most costly products.")),
      new Intent("low_stock", "SELECT name, stock FROM products WHERE stock < {stock} ORDER BY stock;", List.of(
          "Which products have fewer than {stock} units in stock?",
          "List products with stock below {stock}.",
          "Show products that are running low, under {stock} in stock.",
          "Find items whose stock is less than {stock}.",
          "What products have less than {stock} left in stock?",
          "Products with a stock level under {stock}, lowest first.",
          "Which items are almost sold out (stock under {stock})?",
          "Show me everything with under {stock} units left.")),
      new Intent("orders_with_status", "SELECT id, order_date, total FROM orders WHERE status = '{status}';", List.of(
          "Show all {status} orders.",
          "List the orders that are {status}.",
          "Which orders have status {status}?",
          "Find orders with the status {status}.",
          "Give me every order marked as {status}.",
          "What orders are currently {status}?",
          "Pull up the {status} orders with their dates and totals.",
          "I need a list of orders in {status} state.")),
      new Intent("orders_over_total", "SELECT id, customer_id, total FROM orders WHERE total > {total} ORDER BY total DESC;", List.of(
          "Which orders are worth more than {total}?",
          "List orders with a total above {total}.",
          "Show orders over {total}, biggest first.",
          "Find orders whose total exceeds {total}.",
          "Give me all orders greater than {total} in value.",
          "What orders have a total higher than {total}?",
          "Big orders only: total over {total}, sorted by total.",
          "Orders that cost the customer more than {total}?")),
      new Intent("monthly_revenue", "SELECT strftime('%m', order_date) AS month, SUM(total) AS revenue FROM orders WHERE strftime('%Y', order_date) = '{year}' GROUP BY month ORDER BY month;", List.of(
          "What was the revenue per month in {year}?",
          "Show monthly revenue for {year}.",
          "Break down {year} sales by month.",
          "Give me the total order value for each month of {year}.",
          "How much did we sell each month in {year}?",
          "Monthly sales totals for {year}, please.",
          "Month by month, how much revenue came in during {year}?",
          "Chart-ready revenue by month for the year {year}.")),
      new Intent("orders_of_customer", "SELECT o.id, o.order_date, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = '{name}';", List.of(
          "Show the orders placed by {name}.",
          "What has {name} ordered?",
          "List all orders from customer {name}.",
          "Find the orders of {name}.",
          "Give me {name}'s orders.",
          "Which orders belong to {name}?",
          "Order history for {name}, please.",
          "Did {name} buy anything? Show their orders.")),
      new Intent("top_customers_by_spend", "SELECT c.name, SUM(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY spent DESC LIMIT {k};", List.of(
          "Who are the top {k} customers by total spend?",
          "List the {k} customers who spent the most.",
          "Which {k} customers have the highest order totals?",
          "Show our {k} biggest spenders.",
          "Give me the top {k} customers ranked by money spent.",
          "Find the {k} customers with the largest total purchases.",
          "Our {k} most valuable customers by spending?",
          "Rank customers by how much they spent and keep {k}.")),
      new Intent("average_order_in_city", "SELECT AVG(o.total) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.city = '{city}';", List.of(
          "What is the average order value for customers in {city}?",
          "Average order total from {city} customers?",
          "Compute the mean order amount for {city}.",
          "How much does a typical order from {city} cost on average?",
          "Show the average order size for customers living in {city}.",
          "Give me the average total of orders placed by customers in {city}.",
          "On average, how big are orders coming from {city}?",
          "Mean order total, {city} customers only.")),
      new Intent("best_sellers_in_category", "SELECT p.name, SUM(i.quantity) AS units FROM order_items i JOIN products p ON p.id = i.product_id WHERE p.category = '{cat}' GROUP BY p.name ORDER BY units DESC LIMIT {k};", List.of(
          "What are the {k} best-selling {cat} products?",
          "Show the top {k} {cat} products by units sold.",
          "Which {k} {cat} items sold the most?",
          "List the {k} most popular {cat} products by quantity sold.",
          "Give me the {k} {cat} products with the highest sales volume.",
          "Top {k} sellers in {cat}, by units.",
          "In {cat}, which {k} products moved the most units?",
          "Best {k} {cat} sellers by quantity?")),
      new Intent("customers_in_tier", "SELECT name, email FROM customers WHERE tier = '{tier}';", List.of(
          "List all {tier} tier customers.",
          "Which customers are in the {tier} tier?",
          "Show customers with {tier} membership.",
          "Find our {tier} customers.",
          "Give me the names and emails of {tier} members.",
          "Who has {tier} status in our loyalty program?",
          "Email list of {tier}-tier members, please.",
          "Which shoppers hold a {tier} membership?")),
      new Intent("customers_without_orders", "SELECT c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL;", List.of(
          "Which customers have never placed an order?",
          "List customers without any orders.",
          "Show customers who have not ordered anything.",
          "Find customers with zero orders.",
          "Who signed up but never bought anything?",
          "Give me customers that have no orders at all.",
          "Customers with no purchase history?",
          "Which registered customers never made an order?")),
      new Intent("recent_orders", "SELECT id, total FROM orders WHERE order_date >= date('now', '-{days} days');", List.of(
          "Show orders from the last {days} days.",
          "List orders placed in the past {days} days.",
          "Which orders were made within the last {days} days?",
          "Find recent orders, last {days} days.",
          "Give me the orders of the past {days} days.",
          "What orders came in during the last {days} days?",
          "Anything ordered in the previous {days} days?",
          "Recent activity: orders placed over the past {days} days.")),
      new Intent("product_price", "SELECT price FROM products WHERE name = '{product}';", List.of(
          "How much does the {product} cost?",
          "What is the price of the {product}?",
          "Show the price for {product}.",
          "Tell me the {product} price.",
          "Price of {product}?",
          "Look up what we charge for the {product}.",
          "What would a {product} set me back?",
          "Current price on the {product}, please.")),
      new Intent("count_orders_status_year", "SELECT COUNT(*) FROM orders WHERE status = '{status}' AND strftime('%Y', order_date) = '{year}';", List.of(
          "How many orders were {status} in {year}?",
          "Count the {status} orders from {year}.",
          "Number of {status} orders in {year}?",
          "How many {year} orders have status {status}?",
          "Give me the count of orders {status} during {year}.",
          "Tell me how many orders from {year} are {status}.",
          "In {year}, how many orders ended up {status}?",
          "Total number of {status} orders for the year {year}?")),
      new Intent("revenue_by_category", "SELECT p.category, SUM(i.quantity * i.unit_price) AS revenue FROM order_items i JOIN products p ON p.id = i.product_id GROUP BY p.category ORDER BY revenue DESC;", List.of(
          "What is the revenue per product category?",
          "Show sales totals by category.",
          "Which categories bring in the most revenue?",
          "Break down revenue by product category.",
          "Give me total sales for each category, highest first.",
          "How much revenue does each category generate?",
          "Category-level revenue ranking, please.",
          "Which product categories earn us the most money?")),
      new Intent("customers_signed_up_after", "SELECT name, signup_date FROM customers WHERE signup_date > '{date}';", List.of(
          "Which customers signed up after {date}?",
          "List customers who joined after {date}.",
          "Show new customers registered since {date}.",
          "Find customers with a signup date later than {date}.",
          "Give me customers created after {date}.",
          "Who became a customer after {date}?",
          "Customers onboarded after {date}?",
          "Everyone who registered later than {date}, with their signup dates.")),
      new Intent("products_in_price_range", "SELECT name, price FROM products WHERE price BETWEEN {lo} AND {hi};", List.of(
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
  static final List<String> COUNTRIES = List.of("Germany", "France", "Spain", "Portugal", "Austria", "Norway",
      "Ireland", "Italy", "Poland", "Greece", "Switzerland", "Netherlands", "Belgium", "Denmark");
  static final List<String> NEW_COUNTRIES = List.of("Sweden", "Finland", "Estonia");
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
  static final List<Integer> YEARS = List.of(2021, 2022, 2023, 2024, 2025);

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "examples/data/nl2sql");
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
        + "Q: Which customers are based in Berlin?\nA: SELECT name, email FROM customers WHERE city = 'Berlin';\n\n"
        + "Q: Show all shipped orders.\nA: SELECT id, order_date, total FROM orders WHERE status = 'shipped';\n\n"
        + "Q: What are the 5 most expensive products?\nA: SELECT name, price FROM products ORDER BY price DESC LIMIT 5;\n\n"
        + "Q: How many customers do we have in France?\nA: SELECT COUNT(*) FROM customers WHERE country = 'France';\n";
  }

  static String example(Intent intent, String template, Random random, boolean heldout) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("city", pick(random, CITIES, heldout ? NEW_CITIES : List.of()));
    values.put("country", pick(random, COUNTRIES, heldout ? NEW_COUNTRIES : List.of()));
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
    values.put("year", String.valueOf(pick(random, YEARS, List.of())));
    values.put("date", String.format("%d-%02d-%02d", pick(random, YEARS, List.of()), 1 + random.nextInt(12),
        random.nextBoolean() ? 1 : 15));
    int lo = pick(random, PRICES.subList(0, 10), List.of());
    values.put("lo", String.valueOf(lo));
    values.put("hi", String.valueOf(lo * (2 + random.nextInt(4))));
    String question = fill(template, values);
    String sql = fill(intent.sql(), values);
    return "{\"messages\":[{\"role\":\"system\",\"content\":" + quote(SYSTEM_PROMPT) + "},"
        + "{\"role\":\"user\",\"content\":" + quote(question) + "},"
        + "{\"role\":\"assistant\",\"content\":" + quote(sql) + "}]}";
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
