package dev.jchat.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The browsers of one test class, as a JUnit extension on a static field: skips (or fails) each
 * test when Chromium is missing (per test, so the build's summary counts them as skipped), and after each test closes every browser it opened, first
 * keeping a screenshot, the page and its console under target/browser-failures when the test
 * failed. Not thread-safe: the tests of a class run one at a time.
 */
final class Browsers implements BeforeEachCallback, AfterEachCallback {

    private final List<Browser> open = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        Browser.assumeInstalled();
    }

    /** A new browser (own profile, so own localStorage) showing nothing yet. */
    ChatPage launch() throws IOException {
        Browser browser = Browser.launch();
        open.add(browser);
        return new ChatPage(browser);
    }

    /** Quits one browser now, as a user closing it would. */
    void close(ChatPage page) {
        open.remove(page.browser());
        page.browser().close();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        List<Browser> closing = List.copyOf(open);
        open.clear();
        RuntimeException failure = null;
        try {
            if (context.getExecutionException().isPresent()) {
                keepEvidence(context, closing);
            }
        } finally {
            for (Browser browser : closing) {
                try {
                    browser.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void keepEvidence(ExtensionContext context, List<Browser> browsers) throws IOException {
        Path folder = Path.of(System.getProperty("basedir", "."), "target", "browser-failures");
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        Throwable failure = context.getExecutionException().orElseThrow();
        for (int i = 0; i < browsers.size(); i++) {
            Browser browser = browsers.get(i);
            String name = test + "-" + (i + 1);
            try {
                browser.screenshot(folder.resolve(name + ".png"));
                Files.writeString(folder.resolve(name + ".html"), browser.driver().getPageSource(), StandardCharsets.UTF_8);
                Files.writeString(folder.resolve(name + "-console.txt"), browser.consoleLog(), StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                failure.addSuppressed(e); // a dead browser cannot be photographed; the test's failure says why
            }
        }
    }
}
