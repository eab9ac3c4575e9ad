#!/usr/bin/env python3
"""Draws the panels of the Grafana dashboard from /metrics scraped during a run.

Grafana needs Docker, which not every machine has, so bench/run-dashboard.sh scrapes the chat's
/metrics every second into a file and this script draws the same panels from it, with matplotlib:
the titles, layout, units and PromQL come from the dashboard's JSON. It evaluates the few shapes
of PromQL the dashboard uses, as Prometheus does:

  sum by (L) (M)                                        a gauge
  sum by (L) (rate(M[$__rate_interval])) [> 0]          a counter's rate
  histogram_quantile(Q, sum by (L, le) (rate(M_bucket[$__rate_interval])))

rate() is the increase over the last --window seconds divided by their length (without
Prometheus' extrapolation to the window's edges, which a steady counter does not need), and
histogram_quantile() interpolates linearly inside the bucket the rank falls in, from the bucket
rates, as Prometheus does. Label matchers ({instance=~"$instance"}) are ignored: the file holds
one server. Any other shape stops the script with its expression, so the picture never shows
something the dashboard does not.

  bench/dashboard.py METRICS_LOG [--dashboard JSON] [--out PNG] [--window S] [--title T]

The file: "# scrape <unix time>" lines, each followed by that scrape's samples in the
Prometheus text format.
"""
import argparse
import json
import math
import re
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
MATCHERS = re.compile(r'\{[^}]*\}')
GAUGE = re.compile(r'^sum by \(([\w, ]+)\) \((\w+)\)$')
RATE = re.compile(r'^sum by \(([\w, ]+)\) \(rate\((\w+)\[\$__rate_interval\]\)\)( > 0)?$')
QUANTILE = re.compile(r'^histogram_quantile\(([\d.]+), sum by \(([\w, ]+)\) \(rate\((\w+_bucket)\[\$__rate_interval\]\)\)\)$')


def read_scrapes(path, instance):
    """The scrapes, in order: (unix time, {(name, labels as a sorted tuple): value})."""
    scrapes = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# scrape "):
                scrapes.append((float(line.split()[2]), {}))
                continue
            if not line or line.startswith("#") or not scrapes:
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit(f"{path}: not a sample: {line}")
            # what Prometheus adds to every sample it scrapes
            labels = {"instance": instance, "job": "chat"}
            labels.update((k, v) for k, v in LABEL.findall(m.group(2) or ""))
            scrapes[-1][1][(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return [s for s in scrapes if s[1]]  # a scrape that failed holds nothing


def series(scrapes, name):
    """Every series of one metric: labels -> its value at each scrape (nan where absent)."""
    out = defaultdict(lambda: [math.nan] * len(scrapes))
    for i, (_, samples) in enumerate(scrapes):
        for (n, labels), v in samples.items():
            if n == name:
                out[labels][i] = v
    return out


def rates(times, values, window):
    """Per scrape: the increase over the last `window` seconds, per second; counter resets handled."""
    out = []
    for i, t in enumerate(times):
        j = i
        while j > 0 and times[j - 1] >= t - window - 1e-6:
            j -= 1
        points = [(times[k], values[k]) for k in range(j, i + 1) if not math.isnan(values[k])]
        if len(points) < 2:
            out.append(math.nan)
            continue
        increase = 0.0
        for (_, a), (_, b) in zip(points, points[1:]):
            increase += b - a if b >= a else b  # a drop is a restart from 0
        out.append(increase / (points[-1][0] - points[0][0]))
    return out


def summed(groups, by, per_series, n):
    """sum by (by): labels of each group -> the sum of its series, point by point."""
    out = defaultdict(lambda: [math.nan] * n)
    for labels, values in groups.items():
        key = tuple((k, v) for k, v in labels if k in by)
        acc = out[key]
        for i, v in enumerate(per_series(values)):
            if not math.isnan(v):
                acc[i] = v if math.isnan(acc[i]) else acc[i] + v
    return out


def histogram_quantile(q, buckets):
    """Prometheus' histogram_quantile over one group's buckets [(le, rate)], le ascending, +Inf last."""
    if not buckets or not math.isinf(buckets[-1][0]):
        return math.nan
    counts = []
    for le, c in buckets:  # Prometheus makes the cumulative counts monotonic first
        counts.append((le, max(c, counts[-1][1]) if counts else c))
    total = counts[-1][1]
    if math.isnan(total) or total <= 0:
        return math.nan
    rank = q * total
    i = next(k for k, (_, c) in enumerate(counts) if c >= rank)
    if i == len(counts) - 1:
        return counts[-2][0] if len(counts) > 1 else math.nan  # in the +Inf bucket: the highest bound
    lower, below = (0.0, 0.0) if i == 0 else counts[i - 1]
    upper, count = counts[i]
    if i == 0 and upper <= 0:
        return upper
    return lower + (upper - lower) * (rank - below) / (count - below)


def evaluate(expr, scrapes, window):
    """One target's expression: {label set: values per scrape}."""
    times = [t for t, _ in scrapes]
    n = len(times)
    bare = MATCHERS.sub("", expr)
    if MATCHERS.findall(expr) and any(m != '{instance=~"$instance"}' for m in MATCHERS.findall(expr)):
        raise SystemExit(f"a label matcher this script does not apply: {expr}")
    if m := GAUGE.match(bare):
        by = [l.strip() for l in m.group(1).split(",")]
        return summed(series(scrapes, m.group(2)), by, lambda v: v, n)
    if m := RATE.match(bare):
        by = [l.strip() for l in m.group(1).split(",")]
        out = summed(series(scrapes, m.group(2)), by, lambda v: rates(times, v, window), n)
        if m.group(3):  # "> 0" keeps a code only where it happened
            out = {k: [v if v > 0 else math.nan for v in vs] for k, vs in out.items()}
        return out
    if m := QUANTILE.match(bare):
        q = float(m.group(1))
        by = [l.strip() for l in m.group(2).split(",")]
        per_le = summed(series(scrapes, m.group(3)), by, lambda v: rates(times, v, window), n)
        groups = defaultdict(list)
        for key, values in per_le.items():
            le = float(dict(key)["le"].replace("+Inf", "inf"))
            groups[tuple(kv for kv in key if kv[0] != "le")].append((le, values))
        out = {}
        for key, buckets in groups.items():
            buckets.sort(key=lambda b: b[0])
            out[key] = [histogram_quantile(q, [(le, vs[i]) for le, vs in buckets]) for i in range(n)]
        return out
    raise SystemExit(f"an expression this script cannot evaluate: {expr}")


def legend(fmt, labels):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: dict(labels).get(m.group(1), ""), fmt)


def draw(dashboard, scrapes, window, out, title):
    t0 = scrapes[0][0]
    xs = [t - t0 for t, _ in scrapes]
    step = (xs[-1] - xs[0]) / max(1, len(xs) - 1)
    panels = dashboard["panels"]
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    fig = plt.figure(figsize=(16, rows * 0.45 + 1.2), dpi=100)
    grid = fig.add_gridspec(rows, 24, hspace=2.2, wspace=1.6, top=1 - 0.9 / (rows * 0.45 + 1.2),
                            bottom=0.05, left=0.05, right=0.99)
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    for p in panels:
        g = p["gridPos"]
        ax = fig.add_subplot(grid[g["y"]:g["y"] + g["h"] - 1, g["x"]:g["x"] + g["w"]])
        ax.set_title(p["title"], fontsize=11, loc="left")
        unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
        scale, ylabel = {"s": (1000, "ms"), "ops": (1, "per second")}.get(unit, (1, ""))
        custom = p["fieldConfig"]["defaults"].get("custom", {})
        bars = custom.get("drawStyle") == "bars"
        stacked = custom.get("stacking", {}).get("mode") == "normal"
        bottom = [0.0] * len(xs)
        drawn = 0
        for target in p["targets"]:
            result = evaluate(target["expr"], scrapes, window)
            for labels in sorted(result):
                ys = [v * scale for v in result[labels]]
                if all(math.isnan(v) for v in ys):
                    continue
                name = legend(target.get("legendFormat", ""), labels) or target["expr"]
                if bars:
                    heights = [0 if math.isnan(v) else v for v in ys]
                    ax.bar(xs, heights, width=step * 0.9, bottom=bottom, alpha=0.75, label=name)
                    if stacked:
                        bottom = [b + h for b, h in zip(bottom, heights)]
                else:
                    ax.plot(xs, ys, linewidth=1.4, label=name)
                drawn += 1
        if drawn == 0:
            ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", va="center", color="grey")
        else:
            ax.legend(fontsize=8, loc="best", ncol=4, framealpha=0.8)
        ax.set_ylim(0, ax.get_ylim()[1] * (1.25 if drawn else 1))  # room for the legend above the lines
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylabel(ylabel, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if g["y"] + g["h"] == rows:
            ax.set_xlabel(f"seconds into the run (rates over {window:g} s)", fontsize=9)
    fig.savefig(out)


def totals(scrapes):
    """What the run amounted to, from the last scrape: the counters' totals, the peak of the gauges."""
    last = scrapes[-1][1]
    lines = [f"scrapes                {len(scrapes)} over {scrapes[-1][0] - scrapes[0][0]:.0f} s"]
    peak = max(sum(v for (n, _), v in s.items() if n == "chat_connections") for _, s in scrapes)
    lines.append(f"connections_peak       {peak:.0f}")
    for name in ("chat_messages_total", "chat_deliveries_total"):
        lines.append(f"{name[5:]:<22} {sum(v for (n, _), v in last.items() if n == name):.0f}")
    for name in ("chat_refused_total", "chat_closed_total"):
        by_code = {dict(l)["code"]: v for (n, l), v in last.items() if n == name and v > 0}
        lines.append(f"{name[5:]:<22} " + (", ".join(f"{c}: {v:.0f}" for c, v in sorted(by_code.items())) or "none"))
    ops = {dict(l)["op"]: v for (n, l), v in last.items() if n == "chat_engine_seconds_count"}
    lines.append("engine_calls           " + (", ".join(f"{o}: {v:.0f}" for o, v in sorted(ops.items())) or "none (in memory)"))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("metrics", help="the scrapes, as bench/run-dashboard.sh writes them")
    parser.add_argument("--dashboard", default="docker/monitoring/grafana/dashboards/chat.json")
    parser.add_argument("--out", default="docs/dashboard.png")
    parser.add_argument("--window", type=float, default=10, help="seconds each rate is taken over (default 10)")
    parser.add_argument("--instance", default="chat", help="the server's name in the legends")
    parser.add_argument("--title", default="Chat")
    args = parser.parse_args()
    scrapes = read_scrapes(args.metrics, args.instance)
    if len(scrapes) < 2:
        sys.exit(f"{args.metrics}: fewer than two scrapes")
    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    draw(dashboard, scrapes, args.window, args.out, args.title)
    print("\n".join(totals(scrapes)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
