package dev.tunekit.vertex;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.tunekit.spi.ProviderSettings;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loopback Google a Vertex test talks to: WireMock speaking the Vertex AI REST shapes (tuningJobs
 * create/get/list/cancel, generateContent) and Google's own in-memory Cloud Storage
 * ({@link LocalStorageHelper}). Credentials are a fixed access token that never expires, so nothing asks
 * Google or the metadata server for one.
 */
final class VertexFakes implements AutoCloseable {
  static final String PROJECT = "tunekit-test";
  static final String LOCATION = "us-central1";
  static final String BUCKET = "tunekit-test-bucket";
  static final String PARENT = "/v1/projects/" + PROJECT + "/locations/" + LOCATION;
  static final String JOBS = PARENT + "/tuningJobs";
  static final String JOB_PREFIX = "projects/" + PROJECT + "/locations/" + LOCATION + "/tuningJobs/";
  static final String ENDPOINT = "projects/" + PROJECT + "/locations/" + LOCATION + "/endpoints/4242";
  static final String MODEL = "projects/" + PROJECT + "/locations/" + LOCATION + "/models/77@1";

  final WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
      .templatingEnabled(true).globalTemplating(false));
  final Storage storage = LocalStorageHelper.customOptions(false).getService();

  VertexFakes() {
    wm.start();
  }

  Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("project", PROJECT);
    s.put("location", LOCATION);
    s.put("bucket", BUCKET);
    s.put("prefix", "runs");
    s.put("endpoint", "http://127.0.0.1:" + wm.port());
    return s;
  }

  static GoogleCredentials credentials() {
    return GoogleCredentials.create(new AccessToken("test-token", new Date(System.currentTimeMillis() + 86_400_000L)));
  }

  VertexProvider provider(Path dir) {
    return provider(dir, storage);
  }

  VertexProvider provider(Path dir, Storage s) {
    return new VertexProvider(VertexConfig.from(ProviderSettings.of("vertex", "VertexFakes", dir, settings())),
        VertexFakes::credentials, s);
  }

  /** A TuningJob resource as Vertex returns it. */
  static String job(String id, String state, String extra) {
    return "{\"name\":\"" + JOB_PREFIX + id + "\",\"baseModel\":\"gemini-2.5-flash\",\"state\":\"" + state
        + "\",\"createTime\":\"2026-11-02T10:00:00Z\",\"labels\":{\"tunekit-key\":\"x\"}" + extra + "}";
  }

  static String succeeded(String id) {
    return job(id, "JOB_STATE_SUCCEEDED", ",\"endTime\":\"2026-11-02T11:00:00Z\",\"tunedModel\":{\"model\":\""
        + MODEL + "\",\"endpoint\":\"" + ENDPOINT + "\"}");
  }

  static String generateContent(String text) {
    return "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"" + text + "\"}]},"
        + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":3}}";
  }

  @Override
  public void close() {
    wm.stop();
  }
}
