// Tunekit's JShell startup: the imports a session or script needs. They cover every type the public
// API takes or returns (JShellStartupTest checks it), on top of JShell's DEFAULT imports.
import dev.tunekit.*;
import dev.tunekit.model.*;
import dev.tunekit.error.*;
import dev.tunekit.spi.*;
import dev.tunekit.dataset.*;
import dev.tunekit.eval.*;
import dev.tunekit.shell.Script;
import com.fasterxml.jackson.databind.JsonNode;   // DatasetConverter.convert takes and returns it
import java.nio.file.*;
import java.time.*;
import java.util.*;
import javax.sql.DataSource;                      // Tunekit.Builder.ledger(DataSource): a shared PostgreSQL ledger
import io.github.resilience4j.retry.RetryRegistry;                   // Tunekit.resilience(): for metrics
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
