package dev.tunekit.ray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Tunekit.checkReachable()} on Ray: the dashboard and the serving engine are connected to and nothing is sent,
 * a server that is not there is named with its setting, in one line, before any run is recorded.
 */
class ReachabilityTest {
  @TempDir Path tmp;

  private Tunekit tunekit(Map<String, Object> settings) {
    Tunekit.Builder b = Tunekit.builder().provider("ray");
    settings.forEach(b::setting);
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work")).build();
  }

  /** A loopback port nothing listens on (bound, then closed). */
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void runningServersPassAndReceiveNoRequest() {
    try (RayFakes fakes = new RayFakes(); Tunekit tk = tunekit(fakes.settings())) {
      tk.checkReachable();

      assertThat(fakes.wm.getAllServeEvents()).as("a connection only: no HTTP request").isEmpty();
      assertThat(tk.runs()).isEmpty();
    }
  }

  @Test
  void aServerThatIsNotThereIsNamedWithItsSettingInOneLine() throws Exception {
    int closed = closedPort();
    try (RayFakes fakes = new RayFakes()) {
      Map<String, Object> s = fakes.settings();
      s.remove("servingUrl");
      s.put("vllm", Map.of("baseUrl", "http://127.0.0.1:" + closed + "/v1"));
      try (Tunekit tk = tunekit(s)) {
        assertThatThrownBy(tk::checkReachable).isInstanceOf(ProviderException.class)
            .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse())
            .hasMessageContaining("cannot reach the vLLM server at http://127.0.0.1:" + closed + "/v1 (connection refused)")
            .hasMessageContaining("providers.ray.vllm.baseUrl")
            .hasMessageNotContaining("dashboard")
            .hasMessageNotContaining("\n");
        assertThat(tk.runs()).as("nothing recorded").isEmpty();
      }
      fakes.wm.verify(0, WireMock.anyRequestedFor(WireMock.anyUrl()));
    }
  }

  @Test
  void bothDownAreBothNamed() throws Exception {
    int closed = closedPort();
    Map<String, Object> s = new java.util.LinkedHashMap<>();
    s.put("dashboardUrl", "http://127.0.0.1:" + closed);
    s.put("outputDir", RayFakes.OUTPUT);
    s.put("servingUrl", "http://127.0.0.1:" + closed + "/v1");
    try (Tunekit tk = tunekit(s)) {
      assertThatThrownBy(tk::checkReachable).isInstanceOf(ProviderException.class)
          .hasMessageContaining("cannot reach the Ray dashboard at http://127.0.0.1:" + closed + " (connection refused),"
              + " nor the serving engine at")
          .hasMessageContaining("providers.ray.dashboardUrl and providers.ray.servingUrl");
    }
  }

  @Test
  void aMissingDashboardIsASettingError() {
    try (Tunekit tk = tunekit(Map.of("outputDir", RayFakes.OUTPUT))) {
      assertThatThrownBy(tk::checkReachable).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("dashboardUrl").hasMessageContaining("is required");
    }
  }
}
