package dev.tunekit.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The service's page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium; no driver or browser is downloaded): it lists a run started by the test with its state and provider,
 * and the run's loss curve gains points while it trains. Screenshots go to {@code target/}. Skipped, saying the
 * command that installs them, where Chromium is not installed.
 */
class WebPageBrowserTest {
  @TempDir Path dir;

  private static Optional<Path> onPath(String... names) {
    for (String dirName : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      for (String name : names) {
        Path p = Path.of(dirName, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void thePageShowsARunAndItsCurveGrowsWhileItTrains() throws Exception {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    Optional<Path> driverBinary = onPath("chromedriver");
    Assumptions.assumeTrue(chromium.isPresent() && driverBinary.isPresent(),
        "Chromium or chromedriver is not installed; as root: apt-get install -y chromium chromium-driver");

    try (ServiceHarness svc = new ServiceHarness(dir, "120ms")) {
      // The browser starts first (seconds on a loaded machine), so the whole training (100 steps of 120 ms) is
      // still ahead when the page opens.
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.get().toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,1100", "--user-data-dir=" + dir.resolve("chromium-profile"));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(driverBinary.get().toFile()).usingAnyFreePort().build();
      WebDriver browser = new ChromeDriver(service, options);
      try {
        String id = svc.startRun(1);
        browser.get(svc.base + "/#" + id);
        // Upper bounds for a loaded CI machine; on a quiet one each wait ends within a second or two.
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(45), Duration.ofMillis(100));

        WebElement row = wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr[data-run='" + id + "']"))
            .stream().findFirst().orElse(null));
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(0)).isEqualTo(id);
        assertThat(cells.get(2)).isEqualTo("local");

        WebElement curve = browser.findElement(By.id("curve"));
        int first = wait.until(d -> {
          int n = trainPoints(d);
          return n > 0 && d.findElement(By.id("run-state")).getText().equals("SUBMITTED") ? n : null;
        });
        int later = wait.until(d -> {
          int n = trainPoints(d);
          return n > first ? n : null;
        });
        assertThat(later).as("training-loss points drawn: first %d, then %d", first, later).isGreaterThan(first);
        assertThat(curve.findElements(By.cssSelector("polyline.train"))).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("#row-baseline .count")).getText()).matches("\\d+ of 60");
        assertThat(browser.findElement(By.id("gate")).getText()).contains("must beat the baseline by 5.0 points");
        screenshot(browser, "service-page-training.png");

        WebDriverWait end = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(200));
        // The gate is read from the recorded reports while the run is EVALUATED, just before the state moves to
        // GATE_*: a page refresh in between shows the decision with the state before it.
        end.until(d -> d.findElement(By.id("gate")).getAttribute("class").matches("passed|blocked")
            && d.findElement(By.id("run-state")).getText().startsWith("GATE_"));
        assertThat(browser.findElement(By.id("run-state")).getText()).isIn("GATE_PASSED", "GATE_BLOCKED");
        assertThat(browser.findElement(By.cssSelector("#row-tuned .count")).getText()).matches("\\d+ of 60");
        assertThat(trainPoints(browser)).isGreaterThanOrEqualTo(later);
        assertThat(browser.findElement(By.cssSelector("#runs tbody tr[data-run='" + id + "'] td:nth-child(2)"))
            .getText()).as("the list shows the run's new state too").isIn("GATE_PASSED", "GATE_BLOCKED");
        assertThat(Integer.parseInt(curve.getAttribute("data-valid-points"))).isPositive();
        WebElement link = end.until(d -> {
          WebElement a = d.findElement(By.id("report-link"));
          return a.isDisplayed() ? a : null;
        });
        assertThat(link.getAttribute("href")).endsWith("/api/runs/" + id + "/report");
        screenshot(browser, "service-page-gated.png");
      } finally {
        browser.quit();
      }
    }
  }

  private static int trainPoints(WebDriver d) {
    String n = d.findElement(By.id("curve")).getAttribute("data-train-points");
    return n == null ? 0 : Integer.parseInt(n);
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    Path shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(Path.of("target"));
    Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
  }
}
