package dev.jchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the sweep's CSV into the Markdown table of docs/PERFORMANCE.md: every server side by side
 * for each load point, and the ratios of each of ours to the reference (below 1 is better for us).
 * "heap left" is the server's heap in use after the load, less before it, both after a full GC
 * with the clients connected (--gc-samples; "-" for the reference, whose GC cannot be forced).
 */
public final class Report {

    private static final int MIN_CONNECTIONS_FOR_MEMORY = 1000;
    private static final String REFERENCE = "reference";
    private static final String BEFORE = "ours-before";

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String[] header = lines.get(0).split(",");
        Map<String, Map<String, Map<String, String>>> points = new LinkedHashMap<>(); // point -> label -> row
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",");
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], values[i]);
            }
            String run = row.getOrDefault("run", "sweep");
            String point = (run.equals("sweep") ? "" : run + ": ") + row.get("clients") + " clients x "
                    + row.get("senders") + " senders @ " + row.get("rate") + "/s";
            points.computeIfAbsent(point, k -> new LinkedHashMap<>()).put(row.get("label"), row);
        }
        StringBuilder out = new StringBuilder();
        out.append("| load point | server | deliveries/s | received/expected | dup/gaps | p50 ms | p99 ms | max ms"
                + " | CPU µs/delivery (user+sys) | user | sys | KB/conn | heap left KB | generator CPU % | saturated |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        List<String> ratios = new ArrayList<>();
        for (var point : points.entrySet()) {
            for (var row : point.getValue().values()) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s/%s | %s/%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        point.getKey(), row.get("label"), row.get("deliveries_per_s"), row.get("received"),
                        row.get("expected"), row.get("duplicates"), row.get("gaps"), row.get("p50_ms"),
                        row.get("p99_ms"), row.get("max_ms"), row.get("cpu_us_per_delivery"),
                        row.get("user_us_per_delivery"), row.get("sys_us_per_delivery"),
                        kbPerConnection(row), row.getOrDefault("heap_retained_kb", "-"),
                        row.getOrDefault("generator_cpu_pct", "?"), row.get("saturated")));
            }
            Map<String, String> ref = point.getValue().get(REFERENCE);
            for (var row : point.getValue().values()) {
                if (ref != null && row != ref) {
                    ratios.add(String.format(Locale.ROOT, "| %s | %s / reference | %s | %s | %s | %s | %s |",
                            point.getKey(), row.get("label"), ratio(row, ref, "cpu_us_per_delivery"),
                            ratio(row, ref, "user_us_per_delivery"), ratio(row, ref, "sys_us_per_delivery"),
                            ratio(row, ref, "p99_ms"),
                            kbPerConnection(row).equals("-") ? "-" : ratio(row, ref, "kb_per_connection")));
                }
            }
        }
        out.append("\nRatios to the reference (lower is better for us):\n\n");
        out.append("| load point | servers | CPU/delivery | user/delivery | sys/delivery | p99 | KB/conn |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        ratios.forEach(r -> out.append(r).append('\n'));
        appendSaturation(points, out);
        appendBeforeNow(points, out);
        System.out.print(out);
    }

    /** Saturation throughput per server: the most deliveries/s of a saturation step that was not saturated. */
    private static void appendSaturation(Map<String, Map<String, Map<String, String>>> points, StringBuilder out) {
        Map<String, Long> best = new LinkedHashMap<>();
        for (var byLabel : points.values()) {
            for (var row : byLabel.values()) {
                if ("saturation".equals(row.get("run"))) {
                    long rate = row.get("saturated").equals("false") ? Long.parseLong(row.get("deliveries_per_s")) : 0;
                    best.merge(row.get("label"), rate, Math::max);
                }
            }
        }
        if (best.isEmpty()) {
            return;
        }
        out.append("\nSaturation throughput (most deliveries/s with every delivery made and p99 under the SLO):\n\n");
        best.forEach((label, rate) -> out.append("- ").append(label).append(": ").append(rate).append('\n'));
        Long ref = best.get(REFERENCE);
        best.forEach((label, rate) -> {
            if (ref != null && ref > 0 && !label.equals(REFERENCE)) {
                out.append(String.format(Locale.ROOT, "- %s / reference: %.2f (higher is better for us)%n", label,
                        (double) rate / ref));
            }
        });
    }

    /**
     * An A/B (rows labelled {@code ours-before}, from run-sweep.sh --ab): each server's median over
     * the runs of CPU per delivery and p99, each median over ours-before's, and the median of the
     * ratios within each run (paired: the servers of one run ran one after the other, so a load
     * that drifts over the runs weighs on both); below 1 is better now. Medians, because a run on a
     * shared machine can be thrown off by what else runs.
     */
    private static void appendBeforeNow(Map<String, Map<String, Map<String, String>>> points, StringBuilder out) {
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, List<Double>> p99 = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPaired = new LinkedHashMap<>();
        Map<String, List<Double>> p99Paired = new LinkedHashMap<>();
        for (var byLabel : points.values()) {
            Map<String, String> before = byLabel.get(BEFORE);
            if (before == null) {
                continue;
            }
            for (var row : byLabel.values()) {
                String label = row.get("label");
                add(cpu, label, value(row, "cpu_us_per_delivery"));
                add(p99, label, value(row, "p99_ms"));
                add(cpuPaired, label, value(row, "cpu_us_per_delivery") / value(before, "cpu_us_per_delivery"));
                add(p99Paired, label, value(row, "p99_ms") / value(before, "p99_ms"));
            }
        }
        if (cpu.isEmpty()) {
            return;
        }
        double cpuBefore = median(cpu.get(BEFORE));
        double p99Before = median(p99.get(BEFORE));
        out.append("\nBefore and now, medians over the runs (ratio: over ours-before's median; paired: median of the"
                + " ratios within each run):\n\n");
        out.append("| server | runs | CPU µs/delivery | ratio | paired | p99 ms | ratio | paired |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        cpu.forEach((label, values) -> {
            double c = median(values);
            double p = median(p99.get(label));
            out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", label,
                    values.size(), c, c / cpuBefore, median(cpuPaired.get(label)), p, p / p99Before,
                    median(p99Paired.get(label))));
        });
    }

    private static void add(Map<String, List<Double>> lists, String label, double value) {
        lists.computeIfAbsent(label, k -> new ArrayList<>()).add(value);
    }

    private static double value(Map<String, String> row, String key) {
        return Double.parseDouble(row.get(key));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Below 1000 connections, heap noise outweighs the connections: no figure rather than a wrong one. */
    private static String kbPerConnection(Map<String, String> row) {
        return Integer.parseInt(row.get("clients")) < MIN_CONNECTIONS_FOR_MEMORY ? "-" : row.get("kb_per_connection");
    }

    private static String ratio(Map<String, String> ours, Map<String, String> ref, String key) {
        double a = Double.parseDouble(ours.get(key));
        double b = Double.parseDouble(ref.get(key));
        return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
