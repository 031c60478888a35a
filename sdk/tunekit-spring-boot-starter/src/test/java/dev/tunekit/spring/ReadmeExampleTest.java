package dev.tunekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tunekit.Tunekit;
import dev.tunekit.testing.FakeProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * The application.yml shown in this module's README and the main README is this test's resource, copied
 * verbatim (DocsCodeBlocksTest checks the file exists; this checks the copies and that it starts).
 */
class ReadmeExampleTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path EXAMPLE = MODULE.resolve("src/test/resources/application-readme.yml");
  @TempDir Path dir;

  @Test
  void theReadmesShowTheExampleVerbatim() throws Exception {
    String yml = Files.readString(EXAMPLE);
    for (Path readme : new Path[] {MODULE.resolve("README.md"), MODULE.resolve("../../README.md").normalize()}) {
      Matcher m = Pattern.compile("<!-- from [^>]*application-readme\\.yml -->\\n```yaml\\n(.*?)```", Pattern.DOTALL)
          .matcher(Files.readString(readme));
      assertThat(m.find()).as("%s shows application-readme.yml", readme).isTrue();
      assertThat(m.group(1)).as(readme.toString()).isEqualTo(yml);
    }
  }

  @Test
  void theExampleStartsAndItsSettingsReachTunekit() throws Exception {
    PropertySource<?> example = new YamlPropertySourceLoader().load("readme", new FileSystemResource(EXAMPLE)).get(0);
    FakeProvider.register("readme", new FakeProvider());
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(TunekitAutoConfiguration.class))
          .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addLast(example))
          // the example's provider is local (not on this module's class path): the test runs it on the fake
          .withPropertyValues("tunekit.provider=fake", "tunekit.providers.fake.apiKey=k",
              "tunekit.providers.fake.instance=readme", "tunekit.workDir=" + dir)
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Tunekit tk = ctx.getBean(Tunekit.class);
            assertThat(tk.resilience().retries().find("fake").orElseThrow().getRetryConfig().getMaxAttempts())
                .isEqualTo(5);
            assertThat(ctx.getBean(TunekitSpringProperties.class).shutdownWait()).hasSeconds(30);
            assertThat(ctx.getBean(TunekitSpringProperties.class).webhook().path()).isEqualTo("/tunekit/webhooks");
          });
    } finally {
      FakeProvider.unregister("readme");
    }
  }
}
