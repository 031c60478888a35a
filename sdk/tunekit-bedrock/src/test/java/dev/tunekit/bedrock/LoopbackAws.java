package dev.tunekit.bedrock;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;

/**
 * A loopback AWS for tests that go through {@code Tunekit}: WireMock speaking the Bedrock control plane
 * and runtime, and S3Proxy (checking SigV4 signatures) over an in-memory blob store whose writes are
 * counted. Credentials reach the provider the way they do in production, through the AWS default chain:
 * its first link, the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties, set while
 * this is open; the region is a setting, so the chain never looks for instance metadata.
 */
final class LoopbackAws implements AutoCloseable {
  static final String BUCKET = "tunekit-test";
  private static final String KEY_PROPERTY = "aws.accessKeyId";
  private static final String SECRET_PROPERTY = "aws.secretAccessKey";

  final WireMockServer wm;
  private final BlobStoreContext blobs;
  private final S3Proxy proxy;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private volatile boolean failNextWrite;
  private final java.util.Set<String> failOnce = ConcurrentHashMap.newKeySet();
  /** UploadIds answered to CreateMultipartUpload, and received in AbortMultipartUpload, since the last reset. */
  final List<String> initiatedUploads = new java.util.concurrent.CopyOnWriteArrayList<>();
  final List<String> abortedUploads = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String oldKey;
  private final String oldSecret;

  LoopbackAws() throws Exception {
    oldKey = System.getProperty(KEY_PROPERTY);
    oldSecret = System.getProperty(SECRET_PROPERTY);
    System.setProperty(KEY_PROPERTY, Fixtures.ACCESS_KEY);
    System.setProperty(SECRET_PROPERTY, Fixtures.SECRET_KEY);
    blobs = ContextBuilder.newBuilder("transient").overrides(new Properties()).build(BlobStoreContext.class);
    BlobStore store = blobs.getBlobStore();
    store.createContainerInLocation(null, BUCKET);
    proxy = S3Proxy.builder()
        .blobStore(counting(store))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, Fixtures.ACCESS_KEY, Fixtures.SECRET_KEY)
        .ignoreUnknownHeaders(true)
        .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
  }

  /** A blob store that counts its calls by method name, and can fail a write after storing it. */
  private BlobStore counting(BlobStore store) {
    InvocationHandler h = (self, method, margs) -> {
      String m = method.getName();
      boolean write = m.equals("putBlob") || m.equals("completeMultipartUpload");
      calls.computeIfAbsent(m, k -> new AtomicInteger()).incrementAndGet();
      if (m.equals("abortMultipartUpload")) {
        abortedUploads.add(((MultipartUpload) margs[0]).id()); // the UploadId of the AbortMultipartUpload request
      }
      if (failOnce.remove(m)) {
        throw new HttpResponseException("test: " + m + " fails before doing anything", null,
            HttpResponse.builder().statusCode(500).message("InternalError").build());
      }
      Object result;
      try {
        result = method.invoke(store, margs);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (m.equals("initiateMultipartUpload")) {
        initiatedUploads.add(((MultipartUpload) result).id()); // the UploadId CreateMultipartUpload answered
      }
      if (write && failNextWrite) {
        failNextWrite = false;
        // S3Proxy answers a jclouds HttpResponseException with its status: here a 500 after the commit.
        throw new HttpResponseException("test: the object is stored, but the client is told the write failed", null,
            HttpResponse.builder().statusCode(500).message("InternalError").build());
      }
      return result;
    };
    return (BlobStore) java.lang.reflect.Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
        new Class<?>[] {BlobStore.class}, h);
  }

  /** The blob store behind S3Proxy, without counting or failures (for reading what a test stored). */
  BlobStore store() {
    return blobs.getBlobStore();
  }

  String s3Url() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** Objects written through S3 (single puts and completed multipart uploads) since the last reset. */
  int objectWrites() {
    return calls("putBlob") + calls("completeMultipartUpload");
  }

  /** Calls of a blob store method since the last reset, such as {@code blobMetadata} (what HeadObject asks). */
  int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** The blob store calls since the last reset, by method, for assertion messages. */
  String callCounts() {
    return new java.util.TreeMap<>(calls).toString();
  }

  /** Every blob store call since the last reset (what S3 requests reach). */
  int allCalls() {
    return calls.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** The next object write is stored, and then answered with a server error (a commit whose reply is lost). */
  void storeThenFailNextWrite() {
    failNextWrite = true;
  }

  /** The next call of the blob store method (such as {@code uploadMultipartPart}) fails with a 500, storing nothing. */
  void failOnce(String method) {
    failOnce.add(method);
  }

  /** Forgets WireMock's stubs, scenarios and journal, every stored object and the write count. */
  void reset() {
    wm.resetAll();
    BlobStore store = blobs.getBlobStore();
    for (String key : keys("")) {
      store.removeBlob(BUCKET, key);
    }
    calls.clear();
    failNextWrite = false;
    failOnce.clear();
    initiatedUploads.clear();
    abortedUploads.clear();
  }

  /** Keys under {@code prefix}, sorted. */
  List<String> keys(String prefix) {
    List<String> out = new ArrayList<>();
    ListContainerOptions o = ListContainerOptions.Builder.recursive();
    if (!prefix.isEmpty()) {
      o = o.prefix(prefix);
    }
    for (StorageMetadata m : blobs.getBlobStore().list(BUCKET, o)) {
      if (m.getName() != null && !m.getName().endsWith("/")) {
        out.add(m.getName());
      }
    }
    out.sort(null);
    return out;
  }

  String read(String key) throws IOException {
    Blob b = blobs.getBlobStore().getBlob(BUCKET, key);
    if (b == null) {
      throw new AssertionError("no object " + key + " in s3://" + BUCKET + "; have " + keys(""));
    }
    try (var in = b.getPayload().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  void put(String key, String text) {
    BlobStore store = blobs.getBlobStore();
    store.putBlob(BUCKET, store.blobBuilder(key).payload(text).build());
  }

  /** Provider settings pointing every AWS client at this loopback. */
  Map<String, Object> settings() {
    return Fixtures.settings(wm.baseUrl(), s3Url());
  }

  /** The same settings as a tunekit.yaml, with fast polling and retries. */
  Path writeConfig(Path dir, String provider) throws IOException {
    StringBuilder y = new StringBuilder();
    y.append("provider: ").append(provider).append('\n')
        .append("ledger: ledger.db\n")
        .append("workDir: work\n")
        .append("providers:\n")
        .append("  fake:\n")
        .append("    apiKey: test-key\n")
        .append("  bedrock:\n");
    settings().forEach((k, v) -> y.append("    ").append(k).append(": \"").append(v).append("\"\n"));
    y.append("resilience:\n")
        .append("  retry: { maxAttempts: 3, initialBackoff: 1ms, maxBackoff: 10ms, multiplier: 2.0 }\n")
        .append("polling: { initialInterval: 5ms, maxInterval: 20ms, timeout: 30s }\n");
    Path file = dir.resolve("tunekit.yaml");
    Files.writeString(file, y.toString());
    return file;
  }

  @Override
  public void close() throws Exception {
    try {
      wm.stop();
      proxy.stop();
      blobs.close();
    } finally {
      restore(KEY_PROPERTY, oldKey);
      restore(SECRET_PROPERTY, oldSecret);
    }
  }

  private static void restore(String key, String old) {
    if (old == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, old);
    }
  }
}
