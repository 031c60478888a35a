package dev.tunekit.openai;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.tunekit.error.ProviderException;
import dev.tunekit.error.TunekitException;
import java.time.Duration;
import java.util.Optional;

/**
 * Azure Resource Manager over azure-core's {@link HttpPipeline}, authenticated by azure-identity's
 * {@code DefaultAzureCredential} (environment, workload identity, managed identity, Azure CLI, …) with
 * the scope {@code https://management.azure.com/.default}. Tunekit never acquires a token itself.
 *
 * <p>The pipeline has no retry policy: the core's resilience layer is the one retry layer. It has
 * {@link BearerTokenAuthenticationPolicy}, which caches and refreshes the token and refuses plain
 * http; an {@code armEndpoint} on loopback http (tests only: preflight refuses http anywhere else)
 * gets the same credential's token through a one-line policy instead.
 *
 * <p>Loaded only when a deployment is made or checked, so that the {@code openai} flavors never need
 * azure-identity on the class path.
 */
final class AzureArm implements ArmApi {
  /**
   * Test seam: when set, used instead of {@code DefaultAzureCredential}, so tests never reach Entra ID,
   * IMDS or the Azure CLI. Package-private; never set in main code.
   */
  static volatile TokenCredential credentialForTests;

  private final String provider;
  private final TokenCredential credential;
  private final String scope;
  private final AzureSettings settings;
  private final Optional<Duration> timeout;
  /** Built on the first call: preflight's credential check needs no HTTP client. */
  private HttpPipeline pipeline;

  private AzureArm(AzureSettings s, TokenCredential credential, Optional<Duration> timeout) {
    this.provider = s.providerName();
    this.credential = credential;
    this.scope = s.armScope();
    this.settings = s;
    this.timeout = timeout;
  }

  private synchronized HttpPipeline pipeline() {
    if (pipeline == null) {
      HttpClientOptions options = new HttpClientOptions();
      timeout.ifPresent(t -> options.setResponseTimeout(t).setReadTimeout(t));
      HttpPipelinePolicy auth = settings.loopbackArm() ? new LoopbackBearer()
          : new BearerTokenAuthenticationPolicy(credential, scope);
      pipeline = new HttpPipelineBuilder().httpClient(HttpClient.createDefault(options)).policies(auth).build();
    }
    return pipeline;
  }

  /** The credential's token on a loopback http endpoint, where BearerTokenAuthenticationPolicy refuses to send one. */
  private final class LoopbackBearer implements HttpPipelinePolicy {
    @Override
    public reactor.core.publisher.Mono<HttpResponse> process(HttpPipelineCallContext ctx, HttpPipelineNextPolicy next) {
      ctx.getHttpRequest().setHeader("Authorization", "Bearer " + token().getToken());
      return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext ctx, HttpPipelineNextSyncPolicy next) {
      ctx.getHttpRequest().setHeader("Authorization", "Bearer " + token().getToken());
      return next.processSync();
    }
  }

  /** ARM for these settings, with {@code DefaultAzureCredential} (or the test seam). Makes no call. */
  static ArmApi create(AzureSettings s, Optional<Duration> timeout) {
    TokenCredential c = credentialForTests != null ? credentialForTests : new DefaultAzureCredentialBuilder().build();
    return new AzureArm(s, c, timeout);
  }

  private com.azure.core.credential.AccessToken token() {
    try {
      return credential.getTokenSync(new TokenRequestContext().addScopes(scope));
    } catch (ClientAuthenticationException e) {
      throw noCredentials(e);
    }
  }

  @Override
  public void checkCredentials() {
    token();
  }

  @Override
  public Response send(String method, String url, String body) {
    HttpRequest request = new HttpRequest(HttpMethod.valueOf(method), url).setHeader("Accept", "application/json");
    if (body != null) {
      request.setHeader("Content-Type", "application/json").setBody(body);
    }
    try (HttpResponse r = pipeline().sendSync(request, Context.NONE)) {
      String text = r.getBodyAsBinaryData() == null ? "" : r.getBodyAsBinaryData().toString();
      return new Response(r.getStatusCode(), text == null ? "" : text, Optional.ofNullable(r.getHeaderValue("Retry-After")),
          Optional.ofNullable(r.getHeaderValue("x-ms-request-id")));
    } catch (ClientAuthenticationException e) {
      throw noCredentials(e);
    } catch (TunekitException e) {
      throw e;
    } catch (RuntimeException e) {
      // Reset, refused, timed out: the request may have been applied (a PUT or DELETE), so look before repeating.
      boolean read = method.equals("GET");
      throw ProviderException.builder(provider, provider + ": the connection to Azure Resource Manager failed while "
              + "sending " + method + " " + path(url) + " (" + oneLine(e) + "). Retry; a deployment is looked up by its"
              + " name before it is created again.")
          .cause(e).retryable(true).outcomeUnknown(!read).build();
    }
  }

  /** One line, whatever DefaultAzureCredential's chain said (it lists every credential it tried). */
  private TunekitException noCredentials(ClientAuthenticationException e) {
    return ProviderException.builder(provider, provider + ": no Azure credentials for Resource Manager (scope " + scope
            + "): set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, run on a managed identity, or run"
            + " 'az login'; the identity needs Microsoft.CognitiveServices/accounts/deployments/write"
            + " (Cognitive Services OpenAI Contributor).")
        .cause(e).retryable(false).outcomeUnknown(false).buildAuthentication();
  }

  private static String path(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static String oneLine(Throwable e) {
    String m = OpenAiErrors.rootMessage(e).replaceAll("\\s*\\R\\s*", " ");
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }
}
