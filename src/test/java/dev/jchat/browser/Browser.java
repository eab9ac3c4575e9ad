package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Debian Chromium with a fresh profile of its own, driven through Debian's
 * chromedriver at fixed paths, so Selenium Manager never looks for (or downloads) anything.
 * Not thread-safe: one test thread drives it.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String MISSING = "Chromium not installed: apt-get install chromium chromium-driver";
    /** Generous: other builds may share the machine's two cores. */
    static final Duration WAIT = Duration.ofSeconds(15);

    private static final System.Logger LOG = System.getLogger(Browser.class.getName());
    // Selenium looks up CDP bindings for every new driver and warns once per browser when Debian's
    // Chromium is newer than its newest ones; these tests use no CDP. Held here: JUL keeps loggers weakly.
    private static final java.util.logging.Logger CDP_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final List<String> ARGUMENTS = List.of(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1200,900");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Skips the calling test when Chromium or its driver is missing, or fails it when the build
     * demands a browser ({@code TESTS_REQUIRE_BROWSER=1}, as .ci/run sets it).
     */
    static void assumeInstalled() {
        assumeInstalled(CHROMIUM, CHROMEDRIVER, System.getenv("TESTS_REQUIRE_BROWSER"));
    }

    /** The rule itself, with the paths and the variable's value passed in so it can be tested. */
    static void assumeInstalled(Path chromium, Path chromedriver, String requireBrowser) {
        boolean installed = Files.isExecutable(chromium) && Files.isExecutable(chromedriver);
        if (!installed && "1".equals(requireBrowser)) {
            fail(MISSING + " (TESTS_REQUIRE_BROWSER=1 demands the browser tests)");
        }
        assumeTrue(installed, MISSING);
    }

    static Browser launch() throws IOException {
        Path profile = Files.createTempDirectory("chat-chromium-");
        // An explicit driver executable makes Selenium skip Selenium Manager entirely.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toString())
                .addArguments(ARGUMENTS)
                .addArguments("--user-data-dir=" + profile);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile(profile);
            throw e;
        }
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    WebDriver driver() {
        return driver;
    }

    /** Runs a script in the page (WebDriver's injection is not bound by the page's CSP). */
    Object script(String source, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(source, args);
    }

    /**
     * Runs a script in every page this browser loads from now on, before the page's own scripts
     * (through Chromium's DevTools command, which chromedriver relays; no CDP bindings needed).
     */
    void beforeEveryPage(String source) {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", source));
    }

    /** Makes the page see a dark (or light) preference, as a system set to dark mode gives it (DevTools' emulation). */
    void prefersDark(boolean dark) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                List.of(java.util.Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    }

    /**
     * Polls {@code condition} until it returns something other than null or false, or fails
     * after {@link #WAIT} with {@code what} (evaluated then, so it can describe the page).
     */
    <T> T await(Supplier<String> what, Function<WebDriver, T> condition) {
        return await(WAIT, what, condition);
    }

    <T> T await(Duration timeout, Supplier<String> what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout)
                .pollingEvery(Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .withMessage(what)
                .until(condition::apply);
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** The console of the page (errors, CSP reports), one entry a line. */
    String consoleLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::toString)
                .collect(Collectors.joining("\n"));
    }

    /** Quits Chromium and its driver, and removes the profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteProfile(profile);
        }
    }

    private static void deleteProfile(Path profile) {
        // Chromium's helper processes can still be writing for a moment after quit.
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                deleteTree(profile);
                return;
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "could not remove the browser profile " + profile, last);
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed by Chromium itself meanwhile
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
