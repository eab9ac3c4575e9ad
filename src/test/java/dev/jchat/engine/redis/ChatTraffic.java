package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chat in one room that goes on through failures, as real clients would: writers that send one
 * message at a time and tell what came of each (acknowledged by its echo, refused, or unknown:
 * the connection closed first, or nothing came), and readers that keep every chat message they
 * get and, when closed, come back with {@code since} and {@code epoch}. Each on its own thread,
 * until {@link #close}. What they saw is read after: thread-safe collections.
 */
final class ChatTraffic implements AutoCloseable {

    private static final Duration RETRY = Duration.ofMillis(200);
    private static final Duration ECHO_WAIT = Duration.ofSeconds(5);

    private final String room;
    private final List<Thread> writers = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private volatile boolean writing = true;
    private volatile boolean stopping;

    ChatTraffic(String room) {
        this.room = room;
    }

    /** What a writer's message came to. */
    enum Outcome { ACKNOWLEDGED, REFUSED, UNKNOWN }

    /** One writer: sends {@code <user> <n>} every {@code pace}, each after the last one's outcome. */
    final class Writer {
        final String user;
        /** Text to its id when acknowledged ({@code epoch/id}). */
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        /** The texts in the order sent. */
        final List<String> sent = new CopyOnWriteArrayList<>();
        /** Text to when it was sent (System.nanoTime). */
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();

        private Writer(String user) {
            this.user = user;
        }

        long count(Outcome outcome) {
            return outcomes.values().stream().filter(o -> o == outcome).count();
        }
    }

    /** One reader: every chat message it got, in the order it got them, as {@code epoch/id text}. */
    final class Reader {
        final String user;
        final List<String> got = new CopyOnWriteArrayList<>();
        /** Messages delivered out of id order within an epoch, or twice (each as "what, after what"). */
        final List<String> disorders = new CopyOnWriteArrayList<>();
        /** Text to when it first came (System.nanoTime). */
        final Map<String, Long> gotAt = new ConcurrentHashMap<>();
        /** The welcomes it got: 1 while it never had to connect again. */
        final AtomicInteger welcomes = new AtomicInteger();

        private Reader(String user) {
            this.user = user;
        }

        /** The messages it got, text to {@code epoch/id}, the first time each came. */
        Map<String, String> byText() {
            Map<String, String> ids = new LinkedHashMap<>();
            for (String line : got) {
                int space = line.indexOf(' ');
                ids.putIfAbsent(line.substring(space + 1), line.substring(0, space));
            }
            return ids;
        }
    }

    Writer writer(URI chatUri, String user, Duration pace) {
        Writer writer = new Writer(user);
        writers.add(start("writer-" + user, () -> write(chatUri, writer, pace)));
        return writer;
    }

    Reader reader(URI chatUri, String user) {
        Reader reader = new Reader(user);
        readers.add(start("reader-" + user, () -> read(chatUri, reader)));
        return reader;
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void write(URI chatUri, Writer writer, Duration pace) {
        int n = 0;
        TestClient client = null;
        while (writing && !stopping) {
            if (client == null) {
                client = join(chatUri, "&user=" + writer.user);
                if (client == null) {
                    continue;
                }
            }
            String text = writer.user + " " + ++n;
            writer.sent.add(text);
            writer.sentAt.put(text, System.nanoTime());
            if (!client.trySay(text)) {
                writer.outcomes.put(text, Outcome.UNKNOWN);
                client = null;
                continue;
            }
            Outcome outcome = null;
            long deadline = System.nanoTime() + ECHO_WAIT.toNanos();
            while (outcome == null) {
                TestClient.Event event = client.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (event == null) {
                    outcome = Outcome.UNKNOWN;
                } else if (!(event instanceof TestClient.Text frame)) {
                    outcome = Outcome.UNKNOWN;
                    client = null; // closed: joins again
                } else {
                    JsonObject json = parse(frame.text());
                    String type = json.getString("type", "");
                    if (type.equals("error")) {
                        outcome = Outcome.REFUSED;
                    } else if (type.equals("chat") && writer.user.equals(json.getString("user", null))
                            && text.equals(json.getString("msg", null))) {
                        outcome = Outcome.ACKNOWLEDGED;
                        writer.acknowledged.put(text, json.getInt("id") + "");
                    }
                }
            }
            writer.outcomes.put(text, outcome);
            pause(pace);
        }
        if (client != null) {
            client.close();
        }
    }

    private void read(URI chatUri, Reader reader) {
        String epoch = null;
        long lastId = 0;
        TestClient client = null;
        while (!stopping) {
            if (client == null) {
                String resume = epoch == null ? "" : "&since=" + lastId + "&epoch=" + epoch;
                client = connect(chatUri, "&user=" + reader.user + resume);
                if (client == null) {
                    continue;
                }
            }
            TestClient.Event event = client.poll(RETRY);
            if (event == null) {
                continue;
            }
            if (!(event instanceof TestClient.Text frame)) {
                client = null;
                pause(RETRY);
                continue;
            }
            JsonObject json = parse(frame.text());
            switch (json.getString("type", "")) {
                case "welcome" -> {
                    reader.welcomes.incrementAndGet();
                    if (!json.getString("epoch").equals(epoch)) {
                        lastId = 0; // ids of another epoch: this one's start from its replay
                    }
                    epoch = json.getString("epoch");
                }
                case "chat" -> {
                    long id = json.getInt("id");
                    String line = epoch + "/" + id + " " + json.getString("msg");
                    if (id <= lastId) {
                        reader.disorders.add(line + ", after " + epoch + "/" + lastId);
                    }
                    lastId = Math.max(lastId, id);
                    reader.got.add(line);
                    reader.gotAt.putIfAbsent(json.getString("msg"), System.nanoTime());
                }
                default -> {
                    // presence, typing, errors: not what is counted
                }
            }
        }
        if (client != null) {
            client.close();
        }
    }

    /** A connection whose welcome came, or null (after a pause) when it was refused. */
    private TestClient join(URI chatUri, String query) {
        TestClient client = connect(chatUri, query);
        if (client == null) {
            return null;
        }
        while (true) {
            TestClient.Event event = client.poll(ECHO_WAIT);
            if (!(event instanceof TestClient.Text frame)) {
                client.close();
                pause(RETRY);
                return null;
            }
            String type = parse(frame.text()).getString("type", "");
            if (type.equals("welcome")) {
                return client;
            } else if (type.equals("error")) {
                client.close();
                pause(RETRY);
                return null;
            }
        }
    }

    private TestClient connect(URI chatUri, String query) {
        try {
            return TestClient.connect(URI.create(chatUri + "?room=" + room + query));
        } catch (RuntimeException | AssertionError e) {
            pause(RETRY); // the server did not take the handshake: again shortly
            return null;
        }
    }

    private static JsonObject parse(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits, 30 s at most (fails after), until each writer had {@code count} messages sent after {@code since} acknowledged. */
    static void awaitAcknowledged(List<Writer> writers, long since, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!writers.stream().allMatch(w -> w.acknowledged.keySet().stream().filter(t -> w.sentAt.get(t) > since)
                .count() >= count)) {
            assertTrue(System.nanoTime() < deadline, "the writers' messages are acknowledged again");
            Thread.sleep(50);
        }
    }

    /** Waits, 15 s at most, until every reader got every acknowledged message. */
    static void awaitDelivered(List<Reader> readers, List<Writer> writers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && !readers.stream().allMatch(r -> writers.stream()
                .allMatch(w -> r.gotAt.keySet().containsAll(w.acknowledged.keySet())))) {
            Thread.sleep(50);
        }
    }

    /** Stops the writers, each once its last message's outcome is known, and waits for them. */
    void stopWriting() throws InterruptedException {
        writing = false;
        for (Thread thread : writers) {
            thread.join(10_000);
        }
    }

    /** Stops every writer and reader and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        stopWriting();
        for (Thread thread : readers) {
            thread.join(10_000);
        }
    }
}
