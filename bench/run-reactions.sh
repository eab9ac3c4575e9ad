#!/usr/bin/env bash
# Reactions at 100/s in a 1000-member room (issue 24), beside chat messages at the same rate:
# each turn starts the standalone server (in memory, as docker/standalone.Dockerfile runs it)
# afresh for each kind, 1000 version-3 connections in one room, 20 of them sending 5 a second:
# reactions (each sender its own reaction to one message, set and cleared in turn: every one an
# entry of the room's log, told to all 1000) or chat messages of the same size class. Prints per
# kind the deliveries, p50/p99 and the server's CPU per delivery, the medians over the turns, and
# their ratio; appends every row to bench/results/reactions-<time>.csv.
#
#   bench/run-reactions.sh [TURNS]     (default 3; about 1 minute a turn)
#
# Loopback only, bounded: 1000 connections, 25 s of load a run.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

turns=${1:-3}
[[ $turns =~ ^[1-9]$ ]] || { echo "TURNS must be 1..9" >&2; exit 2; }
build_jars true
work=$(mktemp -d /tmp/chat-reactions.XXXXXX)
server_group=
trap 'stop_group "$server_group" 30; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
copy_runtimes "$work"
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=bench/results/reactions-$stamp.csv

run_kind() { # kind (reactions | chat) turn -> one CSV row
  local kind=$1 turn=$2 port extra=()
  port=$(free_port)
  [ "$kind" = reactions ] && extra=(--reactions)
  start_runtime standalone "$port" "$work/$kind" "bench/results/reactions-$stamp-$kind.log" \
    CHAT_RATE_PER_SECOND=0 CHAT_HISTORY_REPLAY=0 CHAT_IDLE_TIMEOUT_SECONDS=3600 \
    CHAT_OUTBOX_BYTES=268435456 CHAT_SEND_TIMEOUT_SECONDS=3600 CHAT_MAX_CONNECTIONS=20000
  wait_serving standalone "$port" || { echo "the server did not start" >&2; exit 1; }
  java -Xmx3g -jar bench/target/chat-bench.jar --url "ws://127.0.0.1:$port/chat" --clients 1000 \
    --senders 20 --rate 5 --names 1000 --payload 60 --warmup 5 --measure 20 --pid "$server_pid" \
    --connect-rate 1000 --label "$kind" --run "turn$turn" --csv "$csv" "${extra[@]}" \
    | grep -E "^(label|received|expected|gaps|errors|p50_ms|p99_ms|cpu_us_per_delivery|saturated) " | tr '\n' ' '
  echo
  stop_group "$server_group" 30; server_group=
}

for ((turn = 1; turn <= turns; turn++)); do
  run_kind chat "$turn"
  run_kind reactions "$turn"
done

# medians per kind, and reactions over chat, from this run's rows
awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { k = $col["label"]; n[k]++; p50[k, n[k]] = $col["p50_ms"]; p99[k, n[k]] = $col["p99_ms"]; cpu[k, n[k]] = $col["cpu_us_per_delivery"] }
  function median(a, k, m,   i, j, t, v) {
    for (i = 1; i <= m; i++) v[i] = a[k, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  END {
    for (k in n) {
      mp50[k] = median(p50, k, n[k]); mp99[k] = median(p99, k, n[k]); mcpu[k] = median(cpu, k, n[k])
      printf "%-9s median of %d: p50 %.2f ms, p99 %.2f ms, CPU %.3f us per delivery\n", k, n[k], mp50[k], mp99[k], mcpu[k]
    }
    if (("chat" in n) && ("reactions" in n) && mcpu["chat"] > 0 && mp99["chat"] > 0)
      printf "reactions / chat: CPU per delivery %.2fx, p99 %.2fx\n", mcpu["reactions"] / mcpu["chat"], mp99["reactions"] / mp99["chat"]
  }' "$csv"
echo "rows: $csv"
