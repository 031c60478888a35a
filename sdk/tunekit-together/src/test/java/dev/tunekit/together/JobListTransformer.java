package dev.tunekit.together;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.util.List;

/**
 * Makes {@code GET /fine-tunes} list what a real Together would hold: one succeeded job carrying the suffix that
 * the first {@code POST /fine-tunes} sent (read from WireMock's request journal, so it works even when that
 * create's reply was dropped). Applied only to the stubs that name it ({@value #NAME}).
 */
final class JobListTransformer implements ResponseDefinitionTransformerV2 {
  static final String NAME = "together-job-list";
  static volatile WireMockServer server;

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    List<LoggedRequest> creates = server.findAll(WireMock.postRequestedFor(WireMock.urlPathEqualTo("/v1/fine-tunes")));
    String suffix;
    try {
      suffix = creates.isEmpty() ? "none" : new ObjectMapper().readTree(creates.get(0).getBodyAsString()).path("suffix").asText();
    } catch (IOException e) {
      throw new IllegalStateException("the create body is not JSON", e);
    }
    return ResponseDefinitionBuilder.like(event.getResponseDefinition()).but()
        .withBody("{\"data\":[" + TogetherFakes.completed("ft-f1", suffix) + "]}").build();
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  @Override
  public String getName() {
    return NAME;
  }
}
