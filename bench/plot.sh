#!/usr/bin/env bash
# Draws a sweep's charts with gnuplot (Debian: apt-get install gnuplot-nox), next to its CSV:
#
#   bench/plot.sh bench/results/<time>.csv
#
#   <time>-cpu.svg     CPU per delivery (user + kernel) against deliveries/s, one line per server:
#                      the saturation search at 1000 clients x 10 senders, rate 2/s up to where
#                      each server saturated (its last point is the first saturated one)
#   <time>-p99.svg     the p99 latency of the same points, on a log scale
#   <time>-memory.svg  KB of RSS per idle connection at the sweep's 10 000-connection point
#
# docs/PERFORMANCE.md shows them. Exits 1 without gnuplot or without the rows a chart needs.
set -euo pipefail
csv=${1:?usage: bench/plot.sh bench/results/<time>.csv}
command -v gnuplot >/dev/null || { echo "bench/plot.sh: no gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
out=${csv%.csv}
data=$(mktemp -d /tmp/chat-plot.XXXXXX)
trap 'rm -rf "$data"' EXIT

# columns NAME... of the rows where run == RUN, by the header's names, space-separated
columns() {
  local run=$1
  shift
  awk -F, -v run="$run" -v want="$*" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(want, names, " "); next }
    $col["run"] == run {
      line = ""
      for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") $col[names[i]]
      print line
    }' "$csv"
}

# one data file per server for the saturation search, in the order the servers were run
# (a step where no connection opened has no figures: left out)
columns saturation label deliveries_per_s cpu_us_per_delivery p99_ms | sort -k1,1 -k2,2n | while read -r label rate cpu p99; do
  [ "$rate" -gt 0 ] && echo "$rate $cpu $p99" >>"$data/$label.dat"
done
servers=$(columns saturation label deliveries_per_s | awk '$2 > 0 && !seen[$1]++ {print $1}' | tr '\n' ' ')
[ -n "$servers" ] || { echo "bench/plot.sh: no saturation rows in $csv" >&2; exit 1; }
columns sweep label clients senders kb_per_connection | awk '$2 == 10000 && $3 == 0 {print $1, $4}' >"$data/memory.dat"

common="set terminal svg size 800,460 dynamic enhanced font 'sans,12' background rgb 'white'
set grid; set key outside right top; set xlabel 'deliveries/s (1000 clients, 10 senders)'
set format x '%.0f'; set xtics rotate by -30; set xrange [0:*]
servers = '$servers'"
gnuplot <<EOF
$common
set output '$out-cpu.svg'
set title 'CPU per delivery as the load grows (lower is better)'
set ylabel 'CPU µs per delivery (user + kernel)'
set yrange [0:*]
plot for [s in servers] '$data/'.s.'.dat' using 1:2 with linespoints lw 2 title s
EOF
gnuplot <<EOF
$common
set output '$out-p99.svg'
set title 'p99 latency as the load grows (lower is better; the SLO is 100 ms)'
set ylabel 'p99 ms'
set logscale y
plot for [s in servers] '$data/'.s.'.dat' using 1:3 with linespoints lw 2 title s, 100 with lines dt 2 lc rgb 'gray' title 'SLO'
EOF
echo "wrote $out-cpu.svg and $out-p99.svg"
if [ -s "$data/memory.dat" ]; then
  gnuplot <<EOF
set terminal svg size 640,400 dynamic enhanced font 'sans,12' background rgb 'white'
set output '$out-memory.svg'
set title 'RSS per idle connection, 10 000 connections (lower is better)'
set ylabel 'KB per connection'
set yrange [0:*]; set grid ytics
set style fill solid 0.7; set boxwidth 0.6
unset key
plot '$data/memory.dat' using 0:2:xtic(1) with boxes, '' using 0:2:(sprintf('%.1f', \$2)) with labels offset 0,0.8
EOF
  echo "wrote $out-memory.svg"
fi
