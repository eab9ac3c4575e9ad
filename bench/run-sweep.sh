#!/usr/bin/env bash
# Runs the chat server (target/chat-standalone.jar) and the tutorials' Node server side by side
# under the same loads, alternating, a fresh server process per point, on loopback only, and
# writes bench/results/<time>.csv and bench/results/latest.md.
#
#   bench/run-sweep.sh              the documented sweep: the load points, then the saturation
#                                   search at 1000 clients (about 20 minutes)
#   bench/run-sweep.sh --quick      small points, a few seconds each: a smoke test
#   bench/run-sweep.sh --saturation only the highest rate each server sustains at 1000 clients
#   bench/run-sweep.sh --ab JAR     this build against an earlier one (JAR, e.g. built from an older
#                                   commit) at 1000 x 10 @ 5/s: before, now, reference, three times
#                                   in turn, so that ratios come from side-by-side runs (~5 minutes)
#
# All clients share one name (--names 1): the reference server has no presence, so this compares
# the fan-out of chat messages, not the join and leave announcements. Memory is sampled after a
# full GC of our server (--gc-samples), so garbage does not count as memory per connection.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

mode=${1:-full}
before_jar=
if [ "$mode" = --ab ]; then
  before_jar=$(realpath "${2:?--ab needs the jar of the earlier build}")
fi
./mvnw -B -q package -DskipTests
./mvnw -B -q -f bench/pom.xml package
(cd bench/reference && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=bench/results/${before_jar:+ab-}$stamp.csv
warmup=5 measure=15
saturation=true
case $mode in
  --quick) points=("20 2 10" "50 5 20"); warmup=1 measure=3; saturation=false ;;
  --saturation) points=() ;;
  --ab) points=(); saturation=false ;;
  full) points=("100 10 50" "100 10 100" "1000 10 5" "1000 10 10" "5000 1 2" "10000 0 0") ;;
  *) echo "usage: $0 [--quick | --saturation | --ab JAR]" >&2; exit 2 ;;
esac


start_server() { # $1 = ours | ours-g1 | reference, $2 = port; prints the pid
  if [ "$1" != reference ]; then
    # ours runs as docker/standalone.Dockerfile runs it; ours-g1 with the JVM's default GC, as the
    # README's plain java -jar does
    local gc=(-XX:+UseParallelGC -Xmn32m)
    [ "$1" = ours-g1 ] && gc=(-XX:+UseG1GC)
    local jar=target/chat-standalone.jar
    [ "$1" = ours-before ] && jar=$before_jar
    CHAT_HOST=127.0.0.1 CHAT_PORT=$2 CHAT_RATE_PER_SECOND=0 CHAT_HISTORY_REPLAY=0 CHAT_IDLE_TIMEOUT_SECONDS=3600 \
      CHAT_OUTBOX_BYTES=268435456 CHAT_SEND_TIMEOUT_SECONDS=3600 CHAT_MAX_CONNECTIONS=20000 \
      java "${gc[@]}" -jar "$jar" >"bench/results/$stamp-$1.log" 2>&1 &
  else
    node bench/reference/server.js "$2" >"bench/results/$stamp-reference.log" 2>&1 &
  fi
  local pid=$!
  for _ in $(seq 1 100); do
    (echo >"/dev/tcp/127.0.0.1/$2") 2>/dev/null && { echo "$pid"; return; }
    sleep 0.1
  done
  echo "server $1 did not start" >&2
  kill "$pid"
  return 1
}

run_point() { # clients senders rate server run -> appends one CSV row and prints its key figures
  local clients=$1 senders=$2 rate=$3 server=$4 run=$5 port pid path
  port=$(free_port)
  pid=$(start_server "$server" "$port")
  path=/chat; [ "$server" = reference ] && path=/
  java -Xmx3g -jar bench/target/chat-bench.jar --url "ws://127.0.0.1:$port$path" --clients "$clients" \
    --senders "$senders" --rate "$rate" --warmup "$warmup" --measure "$measure" --pid "$pid" \
    --label "$server" --run "$run" --csv "$csv" --connect-rate 1000 --names 1 --gc-samples | tee "bench/results/last-run.txt" | grep -E "^(label|deliveries_per_s|p99_ms|cpu_us_per_delivery|saturated) " | tr '\n' ' '
  echo
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for point in "${points[@]}"; do
  read -r clients senders rate <<<"$point"
  for server in ours ours-g1 reference; do
    run_point "$clients" "$senders" "$rate" "$server" sweep
  done
done

if [ -n "$before_jar" ]; then
  for run in 1 2 3; do
    for server in ours-before ours reference; do
      run_point 1000 10 5 "$server" "ab$run"
    done
  done
fi

if [ "$saturation" = true ]; then
  warmup=3 measure=10
  for server in ours ours-g1 reference; do
    for rate in 2 3 4 5 6 7 8 9 10 12 15; do
      run_point 1000 10 "$rate" "$server" saturation
      grep -q "^saturated *true" bench/results/last-run.txt && break
    done
  done
fi

md=bench/results/latest.md
[ -n "$before_jar" ] && md=bench/results/ab-$stamp.md # an A/B is not the sweep the docs paste
java -cp bench/target/chat-bench.jar dev.jchat.bench.Report "$csv" | tee "$md"
echo "wrote $csv and $md"
