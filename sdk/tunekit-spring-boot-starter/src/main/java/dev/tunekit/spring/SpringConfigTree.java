package dev.tunekit.spring;

import dev.tunekit.error.InvalidInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The {@code tunekit.*} properties of a Spring environment as the tree {@code tunekit.yaml} would parse to,
 * with where each key was written. Values are taken raw, as written: {@code ${VAR}} references are left for
 * Tunekit to resolve from the environment exactly as in {@code tunekit.yaml}. Keys under
 * {@code tunekit.spring.} are the starter's own ({@link TunekitSpringProperties}) and are left out.
 *
 * @param tree nested maps, lists and text values
 * @param origins dotted key without {@code tunekit.} to {@code "tunekit.<key> (origin)"}
 */
record SpringConfigTree(Map<String, Object> tree, Map<String, String> origins) {
  static final String PREFIX = "tunekit.";
  private static final Pattern INDEX = Pattern.compile("^(.*)\\[(\\d+)]$");

  static SpringConfigTree read(ConfigurableEnvironment env) {
    Map<String, Object> flat = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (PropertySource<?> source : env.getPropertySources()) { // highest precedence first: the first value wins
      if (!(source instanceof EnumerablePropertySource<?> e)) {
        continue;
      }
      for (String name : e.getPropertyNames()) {
        if (!name.startsWith(PREFIX) || name.startsWith(PREFIX + "spring.") || !seen.add(name)) {
          continue;
        }
        Object raw = e.getProperty(name);
        if (raw instanceof OriginTrackedValue v) {
          raw = v.getValue();
        }
        String key = name.substring(PREFIX.length());
        flat.put(key, raw == null ? "" : raw instanceof CharSequence ? raw.toString() : raw);
        Origin origin = OriginLookup.getOrigin(e, name);
        origins.put(key.replaceAll("\\[(\\d+)]", ".$1"), name + " (" + (origin == null ? source.getName() : origin) + ")");
      }
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    flat.forEach((k, v) -> put(tree, k.split("\\."), 0, v));
    return new SpringConfigTree(lists(tree), origins);
  }

  /**
   * The same error with provider settings named as Spring properties: the provider modules name a key as in
   * {@code tunekit.yaml} ({@code providers.openai.apiKey}); here it is {@code tunekit.providers.openai.apiKey}.
   * Keys the config loader named already carry the prefix. No cause is kept (as the loader keeps none).
   */
  static InvalidInputException asProperty(InvalidInputException e) {
    String location = e.location().orElse(null);
    String message = e.getMessage();
    if (location != null && message.startsWith(location + ": ")) {
      message = message.substring(location.length() + 2);
    }
    String named = message.replaceAll("(?<![\\w.])providers\\.", PREFIX + "providers.")
        .replace("in the config file", "in the tunekit.* properties");
    return named.equals(message) ? e : new InvalidInputException(named, location);
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> node, String[] parts, int i, Object value) {
    String part = parts[i];
    Matcher m = INDEX.matcher(part);
    String key = m.matches() ? m.group(1) : part;
    Object child = node.get(key);
    if (m.matches()) { // a list element is kept as a map by index until the end, then made a list
      Map<String, Object> byIndex = child instanceof Map ? (Map<String, Object>) child : new LinkedHashMap<>();
      node.put(key, byIndex);
      if (i == parts.length - 1) {
        byIndex.put("[" + m.group(2), value);
      } else {
        Object el = byIndex.computeIfAbsent("[" + m.group(2), x -> new LinkedHashMap<String, Object>());
        if (el instanceof Map) {
          put((Map<String, Object>) el, parts, i + 1, value);
        }
      }
      return;
    }
    if (i == parts.length - 1) {
      node.putIfAbsent(key, value);
      return;
    }
    Map<String, Object> next = child instanceof Map ? (Map<String, Object>) child : new LinkedHashMap<>();
    node.put(key, next);
    put(next, parts, i + 1, value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> lists(Map<String, Object> node) {
    Map<String, Object> out = new LinkedHashMap<>();
    node.forEach((k, v) -> out.put(k, v instanceof Map ? listOrMap((Map<String, Object>) v) : v));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object listOrMap(Map<String, Object> m) {
    if (!m.isEmpty() && m.keySet().stream().allMatch(k -> k.startsWith("["))) {
      List<Object> l = new ArrayList<>();
      m.entrySet().stream().sorted((a, b) -> Integer.compare(Integer.parseInt(a.getKey().substring(1)),
          Integer.parseInt(b.getKey().substring(1)))).forEach(e -> l.add(e.getValue() instanceof Map
              ? listOrMap((Map<String, Object>) e.getValue()) : e.getValue()));
      return l;
    }
    return lists(m);
  }
}
