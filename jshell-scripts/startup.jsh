// Tunekit's JShell startup: the imports a session or script needs.
import dev.tunekit.*;
import dev.tunekit.model.*;
import dev.tunekit.error.*;
import dev.tunekit.dataset.*;
import dev.tunekit.eval.*;
import dev.tunekit.shell.Script;
import java.nio.file.*;
import java.time.*;
import java.util.*;
