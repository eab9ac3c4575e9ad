package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import dev.jchat.metrics.ChatMetrics;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on our machines, so compose's profile "monitoring" is checked as text
 * against what the server really exposes: every metric the Grafana dashboard queries is in a real
 * scrape of the packaged jar after some traffic, spelled as Prometheus shows it; Prometheus scrapes
 * every chat service of compose.yaml and nothing else; Prometheus and Grafana run only under that
 * profile, and Grafana finds its data source and the dashboard where compose puts them.
 */
class MonitoringFilesIT {

    private static final Path COMPOSE = Path.of("docker", "compose.yaml");
    private static final Path MONITORING = Path.of("docker", "monitoring");
    private static final Path PROMETHEUS = MONITORING.resolve("prometheus.yml");
    private static final Path GRAFANA = MONITORING.resolve("grafana");
    private static final Path DASHBOARD = GRAFANA.resolve("dashboards/chat.json");

    /** Labels Prometheus adds to every sample it scrapes: never in /metrics itself. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern RATE_OF = Pattern.compile("\\b(?:rate|irate|increase)\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)$");
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");

    @Test
    void everyMetricTheDashboardQueriesIsInARealScrapeSpelledAsPrometheusShowsIt() throws Exception {
        Map<String, Set<String>> exposed = new HashMap<>(); // metric name -> its label names
        Map<String, String> types = new HashMap<>();
        try (ServerProcess jar = StandaloneServer.start(Map.of())) {
            OpsClient ops = OpsClient.forChat(jar.chatUri(), null);
            traffic(jar);
            ops.scrapeUntil(s -> OpsClient.value(s, "chat_closed_total{code=\"1003\"}") >= 1);
            read(ops.get("metrics", null).body(), exposed, types);
        }
        // chat_engine_seconds exists only on Redis: the in-memory jar times no engine calls; the
        // publish hook's and the API's meters only once a hook and a key are set. Their spelling
        // comes from the code's own registry, after one of each counted as the server counts them.
        try (ChatMetrics elsewhere = new ChatMetrics()) {
            elsewhere.engineCall("publish", System.nanoTime());
            elsewhere.hookAnswered("allow", System.nanoTime());
            elsewhere.apiCall("POST /api/rooms/{room}/messages", 201);
            Map<String, Set<String>> more = new HashMap<>();
            read(elsewhere.scrape(), more, types);
            more.keySet().removeIf(name -> !name.startsWith("chat_engine_") && !name.startsWith("chat_hook_")
                    && !name.startsWith("chat_api_"));
            assertEquals(3, more.keySet().stream().map(name -> name.split("_")[1]).distinct().count(),
                    () -> "ChatMetrics counts no engine call, hook outcome or API call: " + more.keySet());
            more.forEach(exposed::putIfAbsent);
        }

        List<String> problems = new ArrayList<>();
        for (String expr : expressions()) {
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), () -> "no metric in " + expr);
            for (String name : names) {
                if (!exposed.containsKey(name)) {
                    problems.add(name + " (in " + expr + ") is not in /metrics; similar: " + similar(name, exposed.keySet()));
                }
            }
            for (String label : labelsGroupedBy(expr)) {
                boolean carried = names.stream().anyMatch(n -> exposed.getOrDefault(n, Set.of()).contains(label));
                if (!TARGET_LABELS.contains(label) && !carried) {
                    problems.add("no metric of " + expr + " has the label " + label);
                }
            }
            Matcher rated = RATE_OF.matcher(expr);
            while (rated.find()) {
                String name = rated.group(1);
                boolean counter = "counter".equals(types.get(name))
                        || name.endsWith("_bucket") && "histogram".equals(types.get(name.substring(0, name.length() - 7)));
                if (!counter) {
                    problems.add(name + " is not a counter or a histogram's buckets, so rate() of it means nothing: " + expr);
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    /** A chat message and its delivery, a refused frame, and a connection the server closes. */
    private static void traffic(ServerProcess jar) {
        try (TestClient alice = TestClient.connect(URI.create(jar.chatUri() + "?user=alice&room=ops"))) {
            alice.welcome();
            alice.say("hello");
            alice.nextChat();
            alice.say("   ");
            alice.expectError("empty-message");
            alice.sendBinary(new byte[] {1});
            alice.expectClose(1003);
        }
    }

    /** Reads the text format: each metric name with the labels its samples carry, and each # TYPE. */
    private static void read(String text, Map<String, Set<String>> names, Map<String, String> types) {
        for (String sample : OpsClient.parse(text).keySet()) {
            int brace = sample.indexOf('{');
            Set<String> labels = names.computeIfAbsent(brace < 0 ? sample : sample.substring(0, brace), n -> new TreeSet<>());
            Matcher m = Pattern.compile("([a-zA-Z_]\\w*)=\"").matcher(brace < 0 ? "" : sample.substring(brace));
            while (m.find()) {
                labels.add(m.group(1));
            }
        }
        Matcher m = TYPE.matcher(text);
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
    }

    /** Every PromQL expression of the dashboard: its panels' queries, and its variables'. */
    private static List<String> expressions() throws IOException {
        JsonObject dashboard = json(DASHBOARD);
        List<String> exprs = new ArrayList<>();
        for (JsonValue panel : dashboard.getJsonArray("panels")) {
            for (JsonValue target : panel.asJsonObject().getJsonArray("targets")) {
                exprs.add(target.asJsonObject().getString("expr"));
            }
        }
        for (JsonValue variable : dashboard.getJsonObject("templating").getJsonArray("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.asJsonObject().getString("definition"));
            assertTrue(m.matches(), () -> "a variable this test does not read: " + variable);
            exprs.add("group by (" + m.group(2) + ") (" + m.group(1) + ")");
        }
        assertTrue(exprs.size() >= 7, () -> "the dashboard's queries: " + exprs);
        return exprs;
    }

    /**
     * The metric names in an expression, as Prometheus looks them up: not its functions, keywords,
     * label names, label values or ranges. A histogram's series keep their suffix
     * ({@code chat_send_seconds_bucket}), as do counters ({@code chat_deliveries_total}).
     */
    static Set<String> metricNames(String expr) {
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = MATCHERS.matcher(bare).replaceAll("");
        bare = RANGE.matcher(bare).replaceAll("");
        bare = LABEL_LIST.matcher(bare).replaceAll("");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static Set<String> labelsGroupedBy(String expr) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher m = LABEL_LIST.matcher(STRING.matcher(expr).replaceAll("\"\""));
        while (m.find()) {
            for (String label : m.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        return labels;
    }

    private static List<String> similar(String name, Set<String> exposed) {
        String stem = name.replaceAll("_(bucket|count|sum|total|max)$", "");
        return exposed.stream().filter(n -> n.startsWith(stem)).sorted().toList();
    }

    @Test
    void theMetricNamesOfAnExpressionAreItsSeriesNotItsFunctionsOrLabels() {
        assertEquals(Set.of("chat_send_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(chat_send_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"));
        assertEquals(Set.of("chat_refused_total"), metricNames(
                "sum by (code) (rate(chat_refused_total{code!=\"x\"}[5m])) > 0"));
        assertEquals(Set.of("a_total", "b"), metricNames("a_total / on (instance) group_left (code) b offset 5m"));
    }

    @Test
    void prometheusScrapesEveryChatServiceOfTheComposeFileAndNothingElse() throws IOException {
        String prometheus = Files.readString(PROMETHEUS);
        Map<String, String> services = services(Files.readString(COMPOSE));
        Set<String> chats = new TreeSet<>();
        services.forEach((name, block) -> {
            if (resolved(block, services).contains("\n    image: chat:")) {
                chats.add(name); // an image of our Dockerfiles
            }
        });
        assertTrue(chats.containsAll(Set.of("chat", "chat-payara", "chat-standalone", "chat-a", "chat-b")), "chat services: " + chats);

        Set<String> scraped = new TreeSet<>();
        Matcher targets = Pattern.compile("targets: \\[([^]]*)]").matcher(prometheus);
        while (targets.find()) {
            for (String target : targets.group(1).split(",")) {
                String hostPort = target.strip().replace("\"", "");
                String host = hostPort.substring(0, hostPort.indexOf(':'));
                assertTrue(services.containsKey(host), () -> "prometheus.yml scrapes " + hostPort + ", not a service of compose.yaml");
                // each server listens on 8080 inside the compose network, whatever port it is published on
                assertEquals("8080", hostPort.substring(hostPort.indexOf(':') + 1), () -> "the port of " + host);
                scraped.add(host);
            }
        }
        assertEquals(chats, scraped, "Prometheus scrapes every chat server, and only them (never the balancer)");
        assertTrue(prometheus.contains("metrics_path: /metrics"), "the WARs are ROOT: /metrics at the root");

        // CHAT_METRICS_TOKEN reaches Prometheus, and the file it writes it to is the one it sends
        String file = match("credentials_file: (\\S+)", prometheus);
        String server = services.get("prometheus");
        assertTrue(server.contains(">" + file), () -> "compose's prometheus does not write " + file);
        assertTrue(server.contains("CHAT_METRICS_TOKEN: ${CHAT_METRICS_TOKEN:-}"), "compose passes the token on, empty by default");
        assertTrue(Files.readString(COMPOSE).contains("  CHAT_METRICS_TOKEN: ${CHAT_METRICS_TOKEN:-}"), "the chat servers get it too");
    }

    @Test
    void prometheusAndGrafanaRunOnlyUnderTheProfileMonitoringWithPinnedImages() throws IOException {
        Map<String, String> services = services(Files.readString(COMPOSE));
        Map<String, String> images = Map.of("prometheus", "prom/prometheus:v\\d+\\.\\d+\\.\\d+", "grafana", "grafana/grafana:\\d+\\.\\d+\\.\\d+");
        images.forEach((name, image) -> {
            String block = services.get(name);
            assertTrue(block != null, "compose.yaml has no service " + name);
            assertTrue(block.contains("profiles: [\"monitoring\"]"), () -> name + " is not under the profile monitoring:\n" + block);
            assertTrue(Pattern.compile("(?m)^    image: " + image + "$").matcher(block).find(), () -> name + "'s image is not pinned:\n" + block);
        });
        services.forEach((name, block) -> {
            if (Pattern.compile("(?m)^    profiles: \\[.*\"monitoring\"").matcher(block).find()) {
                assertTrue(images.containsKey(name), "only Prometheus and Grafana are under monitoring, not " + name);
            }
        });
    }

    @Test
    void grafanaFindsItsDataSourceAndTheDashboardWhereComposePutsThem() throws IOException {
        String grafana = services(Files.readString(COMPOSE)).get("grafana");
        Map<String, String> mounts = new HashMap<>(); // path in the container -> path here
        Matcher m = Pattern.compile("(?m)^      - \\./(monitoring/\\S+):(/\\S+?)(?::ro)?$").matcher(grafana + services(Files.readString(COMPOSE)).get("prometheus"));
        while (m.find()) {
            Path here = Path.of("docker").resolve(m.group(1));
            assertTrue(Files.exists(here), () -> "compose mounts " + here + ", which is not in the project");
            mounts.put(m.group(2), m.group(1));
        }
        assertTrue(mounts.containsKey("/etc/grafana/provisioning"), "Grafana's provisioning is mounted: " + mounts);

        String provider = Files.readString(GRAFANA.resolve("provisioning/dashboards/chat.yml"));
        String path = match("path: (\\S+)", provider);
        assertTrue(mounts.containsKey(path), () -> "the dashboards' provider reads " + path + ", where compose mounts nothing");
        assertTrue(Files.isRegularFile(Path.of("docker").resolve(mounts.get(path)).resolve("chat.json")), "the dashboard is there");

        String datasource = Files.readString(GRAFANA.resolve("provisioning/datasources/prometheus.yml"));
        String uid = match("uid: (\\S+)", datasource);
        assertTrue(datasource.contains("url: http://prometheus:9090"), "Grafana asks compose's prometheus");
        for (JsonValue panel : json(DASHBOARD).getJsonArray("panels")) {
            assertEquals(uid, panel.asJsonObject().getJsonObject("datasource").getString("uid"), () -> "the data source of " + panel);
        }
    }

    /** compose.yaml's services: name to its block of lines. */
    private static Map<String, String> services(String compose) {
        String section = compose.substring(compose.indexOf("\nservices:\n"));
        int end = section.indexOf("\nvolumes:\n");
        section = end < 0 ? section : section.substring(0, end);
        Map<String, String> services = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^  ([A-Za-z0-9_.-]+):(.*)$").matcher(section);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), m.start(2)});
            names.add(m.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int to = i + 1 < starts.size() ? starts.get(i + 1)[0] : section.length();
            services.put(names.get(i), section.substring(starts.get(i)[1], to));
        }
        return services;
    }

    /** A service's block, or for an alias of another ({@code chat-b: *many-server}) that one's. */
    private static String resolved(String block, Map<String, String> services) {
        Matcher alias = Pattern.compile("^ \\*(\\S+)\\s*\\n").matcher(block);
        if (!alias.find()) {
            return block;
        }
        String anchor = "&" + alias.group(1);
        return services.values().stream().filter(b -> b.startsWith(" " + anchor + "\n")).findFirst()
                .orElseThrow(() -> new AssertionError("compose.yaml has no service " + anchor));
    }

    private static String match(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no " + regex + " in:\n" + text);
        return m.group(1);
    }

    private static JsonObject json(Path file) throws IOException {
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(file)))) {
            return reader.readObject();
        }
    }
}
