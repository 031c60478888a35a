package dev.tunekit.dataset;

import dev.tunekit.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The {@link DatasetContributor}s on the class path, asked in turn ("not mine" answers are empty).
 * Discovered per use: contributors are cheap, and a JShell session may add modules as it goes.
 */
final class Contributors {
  /** Where the error messages send a reader who needs a provider module. */
  static final String DOCS = "docs/dataset-formats.md";

  private final List<DatasetContributor> all;

  Contributors(List<DatasetContributor> all) {
    this.all = List.copyOf(all);
  }

  /** The contributors found with {@link ServiceLoader} (context class loader first, then this module's). */
  static Contributors discover() {
    List<DatasetContributor> out = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    for (ClassLoader cl : new ClassLoader[] {tccl, Contributors.class.getClassLoader()}) {
      if (cl == null) {
        continue;
      }
      for (DatasetContributor c : ServiceLoader.load(DatasetContributor.class, cl)) {
        if (seen.add(c.getClass().getName())) {
          out.add(c);
        }
      }
    }
    return new Contributors(out);
  }

  /**
   * The spec of {@code model} for provider type {@code type}; with an empty type, from the first catalog
   * that lists the model by id or alias.
   */
  ModelSpec resolve(String type, String model) {
    if (type.isBlank()) {
      for (DatasetContributor c : all) {
        for (String name : new TreeSet<>(c.names())) {
          Optional<ModelCatalog> catalog = c.catalog(name);
          if (catalog.isPresent() && catalog.get().lists(model)) {
            return catalog.get().resolve(catalog.get().name(), model);
          }
        }
      }
      return ModelSpec.unknown("", model, null);
    }
    String wanted = type.trim().toLowerCase(Locale.ROOT);
    for (DatasetContributor c : all) {
      if (c.names().contains(wanted)) {
        Optional<ModelCatalog> catalog = c.catalog(wanted);
        if (catalog.isPresent()) {
          return catalog.get().resolve(wanted, model);
        }
      }
    }
    return ModelSpec.unknown(wanted, model, null);
  }

  /** The converter to a non-neutral {@code format}: the first contributor's that answers. */
  DatasetConverter converter(DatasetFormat format, String location) {
    List<String> tried = new ArrayList<>();
    tried.add("built-in (" + DatasetFormat.CHAT_JSONL + ", " + DatasetFormat.PREFERENCE_JSONL + ")");
    for (DatasetContributor c : all) {
      Optional<DatasetConverter> conv = c.converter(format);
      if (conv.isPresent()) {
        return conv.get();
      }
      List<String> ids = new ArrayList<>();
      c.formats().forEach(f -> ids.add(f.id()));
      tried.add(c.getClass().getName() + " for " + String.join("/", new TreeSet<>(c.names()))
          + (ids.isEmpty() ? "" : " (" + String.join(", ", ids) + ")"));
    }
    throw new InvalidInputException("no converter for dataset format '" + format.id() + "'. Tried: "
        + String.join("; ", tried) + ". Add the provider module that trains on this format to the class "
        + "path (see " + DOCS + ")", location);
  }
}
