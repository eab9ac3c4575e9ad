package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without Chromium the browser tests are skipped, unless TESTS_REQUIRE_BROWSER=1 makes that a failure. */
class BrowserSkipRuleTest {

    @TempDir
    Path folder;

    @Test
    void aMissingBrowserSkipsTheTestsWithTheInstallCommand() {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> Browser.assumeInstalled(folder.resolve("chromium"), Browser.CHROMEDRIVER, null));
        assertTrue(skipped.getMessage().contains("apt-get install chromium chromium-driver"), skipped::getMessage);
    }

    @Test
    void aMissingDriverSkipsTheTestsToo() {
        assertThrows(TestAbortedException.class,
                () -> Browser.assumeInstalled(Browser.CHROMIUM, folder.resolve("chromedriver"), "0"));
    }

    @Test
    void aMissingBrowserFailsTheTestsWhenTheBuildRequiresOne() {
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> Browser.assumeInstalled(folder.resolve("chromium"), folder.resolve("chromedriver"), "1"));
        assertTrue(failed.getMessage().startsWith(Browser.MISSING), failed::getMessage);
    }

    @Test
    void anInstalledBrowserRunsTheTestsEitherWay() throws Exception {
        Path chromium = executable("chromium");
        Path chromedriver = executable("chromedriver");
        assertDoesNotThrow(() -> Browser.assumeInstalled(chromium, chromedriver, null));
        assertDoesNotThrow(() -> Browser.assumeInstalled(chromium, chromedriver, "1"));
    }

    private Path executable(String name) throws Exception {
        Path file = Files.createFile(folder.resolve(name));
        assertTrue(file.toFile().setExecutable(true));
        return file;
    }
}
