package dev.tunekit.examples.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * An example service embedding Tunekit through {@code tunekit-spring-boot-starter}: the starter configures the
 * {@code Tunekit} bean from {@code tunekit.*} in {@code application.yml} (the {@code local} provider, no account)
 * and the webhook endpoint; {@link RunsController} adds the REST API and {@code static/index.html} the page.
 */
@SpringBootApplication
@EnableConfigurationProperties(ServiceProperties.class)
public class ServiceApplication {
  /** Starts the service; Spring Boot's usual arguments ({@code --server.port=8080}, {@code --tunekit.workDir=...}). */
  public static void main(String[] args) {
    SpringApplication.run(ServiceApplication.class, args);
  }
}
