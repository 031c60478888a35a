package dev.tunekit.reliability;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterV2;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestWrapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.tunekit.reliability.FaultPlan.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link FaultPlan}'s faults as WireMock extensions, for a WireMock that proxies to the local server
 * ({@code proxiedFrom}). Faults the server must never see (500, 503, 429, reset) stop the request in
 * a {@link RequestFilterV2} before it is proxied; faults after the server took the request (a reply
 * slower than the client's timeout, a create that commits and then loses its connection) mark the
 * request and are applied to the proxied response by a {@link ResponseTransformerV2}.
 */
final class WireMockFaults {
  static final String MARK = "X-Injected-Fault";

  private WireMockFaults() {}

  /** Decides each request's fault and answers the ones that stop before the server. */
  static final class Filter implements RequestFilterV2 {
    private final FaultPlan plan;

    Filter(FaultPlan plan) {
      this.plan = plan;
    }

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
      Kind kind = plan.decide(request.getMethod().getName(), request.getUrl());
      if (kind == null) {
        return RequestFilterAction.continueWith(request);
      }
      switch (kind) {
        case HTTP_500:
        case HTTP_503: {
          int code = kind == Kind.HTTP_500 ? 500 : 503;
          return RequestFilterAction.stopWith(ResponseDefinitionBuilder.responseDefinition().withStatus(code)
              .withHeader("Content-Type", "application/json")
              .withBody(new String(FaultPlan.errorBody("injected fault: HTTP " + code, "server_error"),
                  StandardCharsets.UTF_8)).build());
        }
        case HTTP_429:
          return RequestFilterAction.stopWith(ResponseDefinitionBuilder.responseDefinition().withStatus(429)
              .withHeader("Content-Type", "application/json").withHeader("retry-after-ms", "15")
              .withHeader("Retry-After", "1")
              .withBody(new String(FaultPlan.errorBody("injected fault: rate limited", "rate_limit_exceeded"),
                  StandardCharsets.UTF_8)).build());
        case RESET:
          return RequestFilterAction.stopWith(ResponseDefinitionBuilder.responseDefinition()
              .withFault(Fault.CONNECTION_RESET_BY_PEER).build());
        default:
          return RequestFilterAction.continueWith(RequestWrapper.create().addHeader(MARK, kind.name()).wrap(request));
      }
    }

    @Override
    public boolean applyToAdmin() {
      return false;
    }

    @Override
    public boolean applyToStubs() {
      return true;
    }

    @Override
    public String getName() {
      return "tunekit-fault-filter";
    }
  }

  /** Applies the marked faults to the server's (proxied) response. */
  static final class Transformer implements ResponseTransformerV2 {
    private final Duration slowReply;

    Transformer(Duration slowReply) {
      this.slowReply = slowReply;
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
      String mark = serveEvent.getRequest().getHeader(MARK);
      if (Kind.COMMIT_THEN_DROP.name().equals(mark)) {
        return Response.Builder.like(response).but().fault(Fault.CONNECTION_RESET_BY_PEER).build();
      }
      if (Kind.SLOW.name().equals(mark)) {
        return Response.Builder.like(response).but().incrementInitialDelay(slowReply.toMillis()).build();
      }
      return response;
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public String getName() {
      return "tunekit-fault-transformer";
    }
  }
}
