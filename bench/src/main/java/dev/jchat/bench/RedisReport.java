package dev.jchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the CSV of {@code bench/run-redis.sh} into the Markdown of docs/PERFORMANCE.md's Redis
 * section: for each load point, one server in memory next to two servers on one Redis (and, where
 * measured, one server on Redis), as the median of the repeats; then every run; then the issue's
 * targets, each with what was measured.
 */
public final class RedisReport {

    private static final String MEMORY = "memory";
    private static final String REDIS = "redis-2";
    /** Labels of setups on Redis: redis-2, and redis-1 (one server on Redis, where measured). */
    private static final String ON_REDIS = "redis";
    /** The runs that look for the most messages one room takes. */
    private static final String THROUGHPUT = "throughput";
    /** The latency point: p99 there within {@link #P99_FACTOR} of the in-memory server's. */
    private static final String LATENCY_POINT = "1000 clients x 10 senders @ 5/s";
    private static final double P99_FACTOR = 2;
    /** Published messages per second one room must sustain through Redis. */
    private static final long ROOM_RATE = 10_000;

    private RedisReport() {
    }

    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String[] header = lines.get(0).split(",");
        Map<String, Map<String, List<Map<String, String>>>> points = new LinkedHashMap<>(); // point -> label -> runs
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",");
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], values[i]);
            }
            points.computeIfAbsent(point(row), k -> new LinkedHashMap<>())
                    .computeIfAbsent(row.get("label"), k -> new ArrayList<>()).add(row);
        }
        StringBuilder out = new StringBuilder();
        out.append("| load point | setup | runs | published msg/s | deliveries/s | p50 ms | p99 ms"
                + " | CPU µs/delivery, per server | server CPU %, per server | Redis CPU % | Redis µs/message"
                + " | missing/expected | duplicated | id gaps/repeats/conflicts | errors | generator CPU %"
                + " | other CPU % | saturated runs |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var point : points.entrySet()) {
            for (var runs : point.getValue().entrySet()) {
                List<Map<String, String>> rs = runs.getValue();
                boolean redis = rs.get(0).get("label").startsWith(ON_REDIS);
                out.append(String.format(Locale.ROOT,
                        "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d | %d | %d/%d/%d | %d | %s | %s | %d/%d |%n",
                        point.getKey(), runs.getKey(), rs.size(), median(rs, "published_per_s", "%.0f"),
                        median(rs, "deliveries_per_s", "%.0f"), median(rs, "p50_ms", "%.2f"), median(rs, "p99_ms", "%.2f"),
                        perServer(rs, "cpu_us_per_delivery_by_server", "%.2f"), perServer(rs, "server_cpu_pct_by_server", "%.0f"),
                        redis ? median(rs, "redis_cpu_pct", "%.0f") : "-", redis ? median(rs, "redis_us_per_message", "%.1f") : "-",
                        missing(rs), sum(rs, "expected"), sum(rs, "duplicates"), sum(rs, "id_gaps"), sum(rs, "id_repeats"),
                        sum(rs, "id_conflicts"), sum(rs, "errors"), median(rs, "generator_cpu_pct", "%.0f"),
                        median(rs, "other_cpu_pct", "%.0f"), saturated(rs), rs.size()));
            }
        }
        out.append("\nEvery run:\n\n");
        out.append("| load point | setup | # | published msg/s | deliveries/s | p50 ms | p99 ms | max ms"
                + " | CPU µs/delivery, per server | Redis CPU % | missing | dup | other CPU % | saturated |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (var point : points.entrySet()) {
            for (var runs : point.getValue().entrySet()) {
                int n = 0;
                for (Map<String, String> r : runs.getValue()) {
                    out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |%n",
                            point.getKey(), runs.getKey(), ++n, r.get("published_per_s"), r.get("deliveries_per_s"),
                            r.get("p50_ms"), r.get("p99_ms"), r.get("max_ms"),
                            r.get("cpu_us_per_delivery_by_server").replace(";", " / "),
                            runs.getKey().startsWith(ON_REDIS) ? r.get("redis_cpu_pct") : "-", missing(List.of(r)),
                            r.get("duplicates"), r.get("other_cpu_pct"), r.get("saturated")));
                }
            }
        }
        appendTargets(points, out);
        System.out.print(out);
    }

    private static void appendTargets(Map<String, Map<String, List<Map<String, String>>>> points, StringBuilder out) {
        out.append("\nAgainst the targets (medians of the repeats):\n\n");
        Map<String, List<Map<String, String>>> byRedisLabel = new LinkedHashMap<>();
        List<Map<String, String>> redisRuns = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (var point : points.entrySet()) {
            for (var runs : point.getValue().entrySet()) {
                if (runs.getKey().startsWith(ON_REDIS)) {
                    redisRuns.addAll(runs.getValue());
                    byRedisLabel.computeIfAbsent(runs.getKey(), k -> new ArrayList<>()).addAll(runs.getValue());
                    long m = missing(runs.getValue());
                    if (m > 0) {
                        where.add(point.getKey() + ", " + runs.getKey() + ": " + m + " (" + sum(runs.getValue(), "errors")
                                + " messages refused as unavailable)");
                    }
                }
            }
        }
        long missing = missing(redisRuns);
        long duplicated = sum(redisRuns, "duplicates") + sum(redisRuns, "id_repeats") + sum(redisRuns, "id_conflicts");
        out.append(String.format(Locale.ROOT,
                "- every delivery made, none duplicated (all %d runs on Redis): %d missing of %d expected%s, %d duplicated,"
                        + " %d ids skipped, %d repeated, %d given to two messages: **%s**%n",
                redisRuns.size(), missing, sum(redisRuns, "expected"), where.isEmpty() ? "" : " (" + String.join("; ", where) + ")",
                sum(redisRuns, "duplicates"), sum(redisRuns, "id_gaps"), sum(redisRuns, "id_repeats"),
                sum(redisRuns, "id_conflicts"), missing == 0 && duplicated == 0 && sum(redisRuns, "id_gaps") == 0 ? "met" : "not met"));
        out.append(String.format(Locale.ROOT, "- leave frames received while every client was connected, all runs: %d"
                + " (none is right: nobody leaves before the end)%n", points.values().stream()
                .flatMap(byLabel -> byLabel.values().stream()).flatMap(List::stream)
                .mapToLong(r -> Long.parseLong(r.getOrDefault("leaves", "0"))).sum()));

        Map<String, List<Map<String, String>>> latency = null;
        for (var point : points.entrySet()) {
            if (point.getKey().endsWith(LATENCY_POINT)) {
                latency = point.getValue();
            }
        }
        if (latency != null && latency.containsKey(MEMORY) && latency.containsKey(REDIS)) {
            double memory = medianOf(latency.get(MEMORY), "p99_ms");
            double redis = medianOf(latency.get(REDIS), "p99_ms");
            out.append(String.format(Locale.ROOT, "- p99 at %s within %.0fx the in-memory server's: %.2f ms against %.2f ms,"
                            + " %.2fx: **%s**%n", LATENCY_POINT, P99_FACTOR, redis, memory, redis / memory,
                    redis <= P99_FACTOR * memory ? "met" : "not met"));
        } else {
            out.append("- p99 at " + LATENCY_POINT + ": not measured in this run\n");
        }

        for (var runs : byRedisLabel.entrySet()) {
            long best = 0;
            int sustained = 0;
            int tried = 0;
            for (Map<String, String> r : runs.getValue()) {
                long published = Long.parseLong(r.get("published_per_s"));
                boolean ok = missing(List.of(r)) == 0 && r.get("saturated").equals("false");
                if (!r.get("run").equals(THROUGHPUT)) {
                    continue;
                }
                if (published >= ROOM_RATE * 0.99) {
                    tried++;
                    if (ok) {
                        sustained++;
                    }
                }
                if (ok) {
                    best = Math.max(best, published);
                }
            }
            out.append(String.format(Locale.ROOT, "- one room sustains %d published messages/s through Redis, %s (every"
                            + " delivery made, p99 under the SLO): %d of %d runs at that rate or more did; the most"
                            + " sustained was %d/s: **%s**%n", ROOM_RATE, runs.getKey(), sustained, tried, best,
                    sustained * 2 > tried ? "met" : "not met"));
        }
    }

    private static String point(Map<String, String> row) {
        return row.get("run") + ": " + row.get("clients") + " clients x " + row.get("senders") + " senders @ "
                + row.get("rate") + "/s";
    }

    private static long missing(List<Map<String, String>> runs) {
        return sum(runs, "expected") - sum(runs, "received");
    }

    private static long sum(List<Map<String, String>> runs, String key) {
        return runs.stream().mapToLong(r -> Long.parseLong(r.get(key))).sum();
    }

    private static long saturated(List<Map<String, String>> runs) {
        return runs.stream().filter(r -> r.get("saturated").equals("true")).count();
    }

    private static String median(List<Map<String, String>> runs, String key, String format) {
        return String.format(Locale.ROOT, format, medianOf(runs, key));
    }

    private static double medianOf(List<Map<String, String>> runs, String key) {
        return median(runs, r -> Double.parseDouble(r.get(key)));
    }

    /** The median of each server's figure ({@code a;b} in the CSV), as {@code a / b}. */
    private static String perServer(List<Map<String, String>> runs, String key, String format) {
        int servers = runs.get(0).get(key).split(";").length;
        List<String> medians = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            int server = i;
            medians.add(String.format(Locale.ROOT, format, median(runs, r -> Double.parseDouble(r.get(key).split(";")[server]))));
        }
        return String.join(" / ", medians);
    }

    private static double median(List<Map<String, String>> runs, Function<Map<String, String>, Double> value) {
        double[] v = runs.stream().map(value).mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
