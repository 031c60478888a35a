package dev.tunekit.kubeflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import dev.tunekit.error.ProviderException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Tunekit.checkReachable()} on Kubeflow: the API server (and the serving engine, when one is configured) are
 * connected to, an absent one is named with its setting in one line, and no credentials at all is the preflight's
 * credential problem, before any run is recorded.
 */
class ReachabilityTest {
  @TempDir Path tmp;

  private Tunekit tunekit(Map<String, Object> settings) {
    Tunekit.Builder b = Tunekit.builder().provider("kubeflow");
    settings.forEach(b::setting);
    return b.ledger(tmp.resolve("ledger.db")).workDir(tmp.resolve("work")).build();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aRunningApiServerPasses() {
    try (KubeflowFakes fakes = new KubeflowFakes(); Tunekit tk = tunekit(fakes.settings())) {
      tk.checkReachable();
      assertThat(tk.runs()).isEmpty();
    }
  }

  @Test
  void anApiServerAndAVllmServerThatAreNotThereAreNamed() throws Exception {
    int closed = closedPort();
    try (KubeflowFakes fakes = new KubeflowFakes()) {
      Map<String, Object> s = fakes.settings();
      s.put("masterUrl", "http://127.0.0.1:" + closed);
      s.put("vllm", Map.of("baseUrl", "http://127.0.0.1:" + closed + "/v1"));
      try (Tunekit tk = tunekit(s)) {
        assertThatThrownBy(tk::checkReachable).isInstanceOf(ProviderException.class)
            .hasMessageContaining("cannot reach the Kubernetes API server at http://127.0.0.1:" + closed
                + " (connection refused), nor the vLLM server at http://127.0.0.1:" + closed + "/v1")
            .hasMessageContaining("providers.kubeflow.masterUrl and providers.kubeflow.vllm.baseUrl")
            .hasMessageNotContaining("test-token-not-a-secret").hasMessageNotContaining("\n");
        assertThat(tk.runs()).isEmpty();
      }
    }
  }

  @Test
  void noCredentialsIsTheCredentialProblemInOneLine() {
    try (KubeflowFakes fakes = new KubeflowFakes()) {
      Map<String, Object> s = fakes.settings();
      s.remove("masterUrl");
      s.remove("token");
      s.put("kubeconfig", tmp.resolve("missing-kubeconfig").toString());
      try (Tunekit tk = tunekit(s)) {
        assertThatThrownBy(tk::checkReachable).isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("providers.kubeflow.kubeconfig: the kubeconfig " + tmp.resolve("missing-kubeconfig")
                + " does not exist or cannot be read; point kubeconfig (or $KUBECONFIG) at")
            .hasMessageNotContaining("\n");
      }
    }
  }
}
