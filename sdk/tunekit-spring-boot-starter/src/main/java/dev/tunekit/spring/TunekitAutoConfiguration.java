package dev.tunekit.spring;

import dev.tunekit.Tunekit;
import dev.tunekit.error.InvalidInputException;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Auto-configures a {@link Tunekit} from the {@code tunekit.*} properties (the keys of {@code tunekit.yaml},
 * validated by Tunekit's own config loader), unless the application defines its own {@code Tunekit} bean.
 * With Actuator: a {@code tunekit} health indicator. With Micrometer (and resilience4j-micrometer for the
 * Resilience4j meters): retry, circuit breaker and rate limiter meters and {@code tunekit.runs} gauges by
 * state. With Spring MVC in a servlet application: the webhook endpoint. These use whichever {@code Tunekit}
 * bean there is, the application's own or this one. See the module's README.
 */
@AutoConfiguration
@EnableConfigurationProperties(TunekitSpringProperties.class)
public class TunekitAutoConfiguration {

  /** Creates the auto-configuration (Spring). */
  public TunekitAutoConfiguration() {}

  /**
   * The Tunekit bean. Closing the context closes it, which first waits (up to
   * {@code tunekit.spring.shutdown-wait}) for uploads and job submissions in flight to record their result.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Tunekit tunekit(ConfigurableEnvironment environment, TunekitSpringProperties properties) {
    SpringConfigTree t = SpringConfigTree.read(environment);
    Tunekit.Builder builder = Tunekit.builder()
        .configTree(t.tree(), SpringConfigTree.PREFIX, "Spring properties " + SpringConfigTree.PREFIX + "*", t.origins(),
            Path.of(""))
        .closeWait(properties.shutdownWait());
    try {
      return builder.build();
    } catch (InvalidInputException e) {
      throw SpringConfigTree.asProperty(e);
    }
  }

  /** The health indicator, when Actuator is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "tunekitHealthIndicator")
    TunekitHealthIndicator tunekitHealthIndicator(Tunekit tunekit) {
      return new TunekitHealthIndicator(tunekit);
    }
  }

  /** Run gauges by state, when Micrometer is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class Metrics {
    @Bean
    TunekitRunMetrics tunekitRunMetrics(Tunekit tunekit, TunekitSpringProperties properties) {
      return new TunekitRunMetrics(tunekit, properties.metrics().runsRefresh());
    }
  }

  /** Resilience4j's own meters, when resilience4j-micrometer is on the class path too. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterBinder.class, TaggedRetryMetrics.class})
  static class ResilienceMetrics {
    @Bean
    MeterBinder tunekitRetryMetrics(Tunekit tunekit) {
      return TaggedRetryMetrics.ofRetryRegistry(tunekit.resilience().retries());
    }

    @Bean
    MeterBinder tunekitCircuitBreakerMetrics(Tunekit tunekit) {
      return TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(tunekit.resilience().circuitBreakers());
    }

    @Bean
    MeterBinder tunekitRateLimiterMetrics(Tunekit tunekit) {
      return TaggedRateLimiterMetrics.ofRateLimiterRegistry(tunekit.resilience().rateLimiters());
    }
  }

  /** The webhook endpoint, in a servlet web application with Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
  @ConditionalOnProperty(prefix = "tunekit.spring.webhook", name = "enabled", matchIfMissing = true)
  static class Webhooks {
    @Bean
    TunekitWebhookController tunekitWebhookController(Tunekit tunekit) {
      return new TunekitWebhookController(tunekit);
    }
  }
}
