#!/usr/bin/env bash
# Runs the chat server in memory (one process) and on Redis (two processes on one Redis, the
# clients split over them, all in one room) side by side under the same loads, alternating, with
# fresh server processes per point, on loopback only, and writes bench/results/redis-<time>.csv
# and bench/results/redis-<time>.md (the table of docs/PERFORMANCE.md's Redis section).
#
#   bench/run-redis.sh              the documented run (about 17 minutes): 3 repeats, alternating
#                                   which setup goes first, of 1000 x 10 @ 5/s, 1000 x 10 @ 2/s,
#                                   and one room at 10 000 published messages/s (4 clients, all
#                                   sending; there also one server on Redis, redis-1); then that
#                                   room on two servers at 12 500 and 15 000/s, or 7 500 and
#                                   5 000/s if 10 000 was not sustained, until the answer changes
#   bench/run-redis.sh --quick      small points, a few seconds each: a smoke test
#   bench/run-redis.sh --throughput only the one-room points (about 6 minutes): to compare builds
#   bench/run-redis.sh --no-build   run the jar already in target/
#   bench/run-redis.sh --jar FILE   run another build of the standalone jar
#
# It starts its own redis-server (on a free port, 127.0.0.1 only, in a temporary directory, AOF on
# as the README advises, no RDB snapshots) and stops it, and every chat server, when it ends, also
# on failure or Ctrl-C. The servers run as run-sweep.sh's "ours" (-XX:+UseParallelGC -Xmn32m, rate limit
# off, room for the load); each run of the generator is bounded by `timeout`. All clients share
# one name (--names 1), so presence costs nothing. Redis' CPU includes its AOF rewrites (children).
# Before each run it waits (30 s at most) for the machine to be idle, and each row says how much
# CPU other processes took while it was measured (other_cpu_pct, 100 = one core).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

quick=false
only_throughput=false
build=true
jar=target/chat-standalone.jar
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=true; shift ;;
    --throughput) only_throughput=true; shift ;;
    --no-build) build=false; shift ;;
    --jar) jar=${2:?--jar needs a file}; build=false; shift 2 ;;
    *) echo "usage: $0 [--quick] [--throughput] [--no-build | --jar FILE]" >&2; exit 2 ;;
  esac
done

# "clients senders rate": the latency points, and one room taking as many messages as it can.
# Every point's fresh servers (both setups alike) first get some load for a few seconds, not
# measured: a throughput point a quarter of its rate (at full rate, what a cold JVM queues while
# it compiles the path takes the measured window to drain when the machine has little to spare),
# a latency point its own rate (the JIT's first seconds showed as a p99 of 100-180 ms that fell to
# 30-40 ms after 10 s: --timeline). The warm-up of the measured run comes after that.
warmup=5 measure=10 repeats=3 prewarm=8
latency=("1000 10 5" "1000 10 2")
throughput="4 4 2500"                  # 10 000 published messages/s, 40 000 deliveries/s
ramp_up=("4 4 3125" "4 4 3750")        # 12 500 and 15 000/s, until one is not sustained
ramp_down=("4 4 1875" "4 4 1250")      # 7 500 and 5 000/s, until one is
if [ "$quick" = true ]; then
  warmup=1 measure=3 repeats=1 prewarm=2
  latency=("20 4 10")
  throughput="4 4 250"
  ramp_up=() ramp_down=()
fi
if [ "$only_throughput" = true ]; then
  latency=()
fi

build_jars "$build"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=bench/results/redis-$stamp.csv
md=bench/results/redis-$stamp.md
logs=bench/results/redis-$stamp # prefix of the logs (not kept in git)
work=$(mktemp -d)
point_pids=() # the chat servers of the point under way
redis_pid=
cleanup() {
  stop_processes "${point_pids[@]}" "$redis_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The servers and the generator run from copies: target/ may be rebuilt meanwhile, and a JVM whose
# jar changes under it fails on the next class it loads.
cp "$jar" "$work/chat-standalone.jar"
cp bench/target/chat-bench.jar "$work/chat-bench.jar"


redis_port=$(free_port)
start_redis "$redis_port" "$work/redis" "$logs-redis-server.log" --save "" --appendonly yes --maxmemory-policy noeviction
redis_pid=$started_redis_pid
redis_url=redis://127.0.0.1:$redis_port

# Starts one chat server on a port of its choosing; $1 = its name (for its log), $2 = Redis URL or
# empty for the in-memory engine. Adds it to point_pids; its URL is in its log, read by server_url.
start_server() {
  CHAT_HOST=127.0.0.1 CHAT_PORT=0 CHAT_REDIS_URL=$2 CHAT_RATE_PER_SECOND=0 CHAT_HISTORY_REPLAY=0 \
    CHAT_IDLE_TIMEOUT_SECONDS=3600 CHAT_OUTBOX_BYTES=268435456 CHAT_SEND_TIMEOUT_SECONDS=3600 \
    CHAT_MAX_CONNECTIONS=20000 \
    java -XX:+UseParallelGC -Xmn32m -jar "$work/chat-standalone.jar" >"$work/$1.log" 2>&1 &
  point_pids+=("$!")
}

# The URL a started server logs once it listens.
server_url() { # $1 = name, $2 = pid
  await_server_url "$work/$1.log" "$2"
}

# Stops the servers of a point and keeps their logs (appended, one file per server name).
stop_servers() { # names...
  local name
  stop_processes "${point_pids[@]}"
  point_pids=()
  for name in "$@"; do
    cat "$work/$name.log" >>"$logs-$name.log"
  done
}

# On a shared machine: waits (10 s at most) until it is mostly idle (under 15 % of its cores busy
# over a second), so that a run does not start in the middle of someone else's build. What others
# took during the measured window is in each row all the same (other_cpu_pct).
wait_quiet() {
  local u n s i w x y z busy idle busy2 idle2
  for _ in $(seq 1 10); do
    read -r _ u n s i w x y z _ </proc/stat
    busy=$((u + n + s + x + y + z)) idle=$((i + w))
    sleep 1
    read -r _ u n s i w x y z _ </proc/stat
    busy2=$((u + n + s + x + y + z)) idle2=$((i + w))
    [ $((100 * (busy2 - busy) / (busy2 - busy + idle2 - idle + 1))) -lt 15 ] && return
  done
  echo "(the machine is busy with other work: running anyway)"
}

run_point() { # clients senders rate setup run -> appends one CSV row and prints its key figures
  local clients=$1 senders=$2 rate=$3 setup=$4 run=$5 urls second pids names redis_args=()
  wait_quiet
  if [ "$setup" = memory ]; then
    names=(memory)
    start_server memory ""
    urls=$(server_url memory "${point_pids[0]}")
  elif [ "$setup" = redis-1 ]; then
    names=(redis-a)
    start_server redis-a "$redis_url"
    urls=$(server_url redis-a "${point_pids[0]}")
    redis_args=(--redis-pid "$redis_pid")
  else
    names=(redis-a redis-b)
    start_server redis-a "$redis_url"
    start_server redis-b "$redis_url"
    urls=$(server_url redis-a "${point_pids[0]}")
    second=$(server_url redis-b "${point_pids[1]}")
    urls=$urls,$second
    redis_args=(--redis-pid "$redis_pid")
  fi
  pids=$(IFS=,; echo "${point_pids[*]}")
  local prewarm_rate=$rate
  [ "$run" = throughput ] && prewarm_rate=$((rate / 4))
  timeout $((prewarm + 60)) java -Xmx3g -jar "$work/chat-bench.jar" --url "$urls" --clients "$clients" \
    --senders "$senders" --rate "$prewarm_rate" --warmup 0 --measure "$prewarm" --names 1 >/dev/null
  # the generator's own bound: connect, warm-up, measure, late deliveries, with room to spare
  timeout $((warmup + measure + 120)) java -Xmx3g -jar "$work/chat-bench.jar" --url "$urls" --pid "$pids" \
    "${redis_args[@]}" --clients "$clients" --senders "$senders" --rate "$rate" --warmup "$warmup" \
    --measure "$measure" --late 15 --label "$setup" --run "$run" --csv "$csv" --connect-rate 1000 --names 1 \
    | tee "$work/last-run.txt" | grep -E "^(label|published_per_s|deliveries_per_s|p99_ms|cpu_us_per_delivery_by_server|redis_cpu_pct|other_cpu_pct|saturated) " \
    | tr -s ' ' | tr '\n' ' '
  echo
  stop_servers "${names[@]}"
}

{
  echo "# bench/run-redis.sh, $stamp"
  echo
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"\
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3)"
  echo "- memory: one server, in memory; redis-2: two servers on one Redis (AOF on), client i on server i mod 2;" \
    "redis-1: one server on Redis"
  echo "- each row: $repeats run(s), $warmup s warm-up, $measure s measured; medians, sums for the counts"
  echo
} >"$md"

sustained=0 # runs of redis-2 at the throughput point that were not saturated
for r in $(seq 1 "$repeats"); do
  order=(memory redis-2)
  [ $((r % 2)) = 0 ] && order=(redis-2 memory)
  for point in "${latency[@]}"; do
    read -r clients senders rate <<<"$point"
    for setup in "${order[@]}"; do
      run_point "$clients" "$senders" "$rate" "$setup" latency
    done
  done
  read -r clients senders rate <<<"$throughput"
  for setup in "${order[@]}" redis-1; do
    run_point "$clients" "$senders" "$rate" "$setup" throughput
    if [ "$setup" = redis-2 ] && grep -q "^saturated *false" "$work/last-run.txt"; then
      sustained=$((sustained + 1))
    fi
  done
done
# Then the room on two servers at the next rates up while they are sustained, or down until one is.
if [ $((2 * sustained)) -gt "$repeats" ]; then
  for point in "${ramp_up[@]}"; do
    read -r clients senders rate <<<"$point"
    run_point "$clients" "$senders" "$rate" redis-2 throughput
    grep -q "^saturated *true" "$work/last-run.txt" && break
  done
else
  for point in "${ramp_down[@]}"; do
    read -r clients senders rate <<<"$point"
    run_point "$clients" "$senders" "$rate" redis-2 throughput
    grep -q "^saturated *false" "$work/last-run.txt" && break
  done
fi

java -cp "$work/chat-bench.jar" dev.jchat.bench.RedisReport "$csv" >>"$md"
{
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Redis' own time per command over the whole run (\`INFO commandstats\`):"
  echo
  redis-cli -p "$redis_port" info commandstats | tr -d '\r' | grep -E '^cmdstat_(evalsha|s?subscribe|s?unsubscribe|spublish|script)' \
    | sed 's/^/    /'
  echo
  echo "Warnings and errors in the chat servers' logs (counted; none is the expected):"
  echo
  warnings=$(cat "$logs"-redis-?.log "$logs"-memory.log 2>/dev/null | grep -E '^(WARNING|SEVERE):' | sort | uniq -c || true)
  echo "${warnings:-none}" | sed 's/^/    /'
} >>"$md"
cat "$md"
echo "wrote $csv and $md (logs: $logs-*.log)"
