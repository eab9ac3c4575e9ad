package dev.jchat.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The page's folder for the launcher. Grizzly serves static files only from a folder, so when
 * the page sits inside the jar it is copied out into a temporary folder, removed on close.
 */
final class StaticContent implements AutoCloseable {

    private static final String ROOT = "/webapp";

    private final Path folder;
    private final boolean temporary;

    private StaticContent(Path folder, boolean temporary) {
        this.folder = folder;
        this.temporary = temporary;
    }

    /** The folder holding {@code index.html}. */
    Path folder() {
        return folder;
    }

    @Override
    public void close() {
        if (temporary) {
            deleteTree(folder);
        }
    }

    /** Finds the page on the classpath, copying it out of the jar when it is inside one. */
    static StaticContent locate() {
        URL index = StaticContent.class.getResource(ROOT + "/index.html");
        if (index == null) {
            throw new IllegalStateException("the page is missing from the classpath: " + ROOT + "/index.html");
        }
        try {
            if ("file".equals(index.getProtocol())) {
                return new StaticContent(Path.of(index.toURI()).getParent(), false);
            }
            try (FileSystem jar = FileSystems.newFileSystem(index.toURI(), Map.of())) {
                return new StaticContent(copyOut(jar.getPath(ROOT)), true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the page", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("unexpected location of the page: " + index, e);
        }
    }

    private static Path copyOut(Path source) throws IOException {
        Path target = Files.createTempDirectory("chat-webapp-");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        return target;
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.getLogger(StaticContent.class.getName())
                    .log(System.Logger.Level.DEBUG, "could not remove " + folder, e);
        }
    }
}
