#!/usr/bin/env bash
# Draws docs/dashboard.png: the panels of the Grafana dashboard
# (docker/monitoring/grafana/dashboards/chat.json) from a real run, for machines without Docker.
# It runs target/chat-standalone.jar on 127.0.0.1, on a redis-server of its own (in memory when
# there is no redis-server, or with --memory), loads it for about 80 s, scrapes /metrics every
# second into bench/results/dashboard-<UTC time>-metrics.log, and has bench/dashboard.py draw the
# panels from that file. About 2.5 minutes in all: the soak's own wait at its end comes after the
# picture's window.
#
#   bench/run-dashboard.sh            the documented run
#   bench/run-dashboard.sh --memory   without Redis (the engine panel says "No data")
#   bench/run-dashboard.sh --build    package the jars first, even if they exist
#
# The load, on loopback only, about 300 connections at most, each process bounded by `timeout`:
#   - from the 3rd second, the load generator: 200 connections in room "bench", 10 of them sending
#     4 messages a second each (8000 deliveries a second), for about 75 s;
#   - from the 18th second, the soak (dev.jchat.bench.Soak) for one minute: 100 members of room
#     "soak", 10 of them dropping and resuming, a stalled reader, and a hostile client whose frames
#     the server refuses (invalid-json, invalid-message, message-too-long, rate-limited) and whose
#     connections it closes (1003, 1008, 1009, ...).
# The server runs with the defaults a deployment gets (rate limit on), except that it listens on
# 127.0.0.1 only. Any CHAT_* variable set by the caller is passed on (CHAT_HOST, CHAT_PORT and
# CHAT_REDIS_URL excepted); with CHAT_METRICS_TOKEN set, the scrapes send it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

redis=true
build=false
while [ $# -gt 0 ]; do
  case $1 in
    --memory) redis=false; shift ;;
    --build) build=true; shift ;;
    *) echo "usage: $0 [--memory] [--build]" >&2; exit 2 ;;
  esac
done
if [ "$redis" = true ] && ! command -v redis-server >/dev/null; then
  echo "(no redis-server: running in memory; apt-get install redis-server for the engine panel)"
  redis=false
fi
# Debian's python3-matplotlib is for Debian's python3, which another python3 on the PATH may hide.
python=
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import matplotlib' 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "no python3 with matplotlib: apt-get install python3-matplotlib" >&2
  exit 1
fi

if [ "$build" = true ] || [ ! -f target/chat-standalone.jar ]; then
  # Tests are not even compiled: they may be mid-change while the server runs.
  ./mvnw -B -q package -DskipTests
fi
if [ "$build" = true ] || [ ! -f bench/target/chat-bench.jar ]; then
  ./mvnw -B -q -f bench/pom.xml package
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
logs=bench/results/dashboard-$stamp # prefix of the logs (not kept in git)
metrics=$logs-metrics.log
work=$(mktemp -d)
pids=() # everything started here, each bounded in time (`timeout`): the last stops first
cleanup() {
  local i last_first=()
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    last_first+=("${pids[i]}")
  done
  stop_processes "${last_first[@]}"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The server and the clients run from copies: target/ may be rebuilt meanwhile, and a JVM whose jar
# changes under it fails on the next class it loads.
cp target/chat-standalone.jar "$work/chat-standalone.jar"
cp bench/target/chat-bench.jar "$work/chat-bench.jar"

redis_url=
if [ "$redis" = true ]; then
  redis_port=$(free_port)
  mkdir "$work/redis"
  timeout 600 redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" \
    --maxmemory-policy noeviction >"$logs-redis-server.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  redis_url=redis://127.0.0.1:$redis_port
fi

port=$(free_port)
base=http://127.0.0.1:$port
url=ws://127.0.0.1:$port/chat
# The load generator's listeners never send, and idle means "nothing from the client": an hour,
# as the other benches give it, unless the caller says otherwise.
CHAT_HOST=127.0.0.1 CHAT_PORT=$port CHAT_REDIS_URL=$redis_url CHAT_IDLE_TIMEOUT_SECONDS=${CHAT_IDLE_TIMEOUT_SECONDS:-3600} \
  timeout 600 java -XX:+UseParallelGC -Xmn32m -jar "$work/chat-standalone.jar" >"$logs-server.log" 2>&1 &
pids+=("$!")
auth=()
if [ -n "${CHAT_METRICS_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $CHAT_METRICS_TOKEN"); fi
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "$base/health/ready" && break
  sleep 0.1
done
if ! curl -sf -o /dev/null "$base/health/ready"; then
  echo "the server did not become ready; its log:" >&2
  cat "$logs-server.log" >&2
  exit 1
fi
server_pid=$(pgrep -P "${pids[-1]}" java) # the JVM under `timeout`, for the load generator's CPU figures

# Every second, the chat's own samples, under the time they were taken (a failed scrape: none);
# for 5 minutes at most, should nothing stop it.
scrape() {
  local now body until=$((SECONDS + 300))
  while [ "$SECONDS" -lt "$until" ]; do
    now=$(date +%s.%N)
    body=$(curl -sf --max-time 2 "${auth[@]}" "$base/metrics") || body=
    { echo "# scrape $now"; grep '^chat_' <<<"$body" || true; } >>"$metrics"
    sleep 1
  done
}
scrape &
pids+=("$!")
scraper=$!

mode=memory; [ "$redis" = true ] && mode="Redis (redis-server on 127.0.0.1:$redis_port)"
echo "server                 $url (pid $server_pid), rooms in $mode"
echo "scraping               $base/metrics every second into $metrics"

sleep 3 # the idle server, first
timeout 180 java -Xmx512m -jar "$work/chat-bench.jar" --url "$url" --clients 200 --senders 10 --rate 4 \
  --warmup 5 --measure 65 --connect-rate 200 --pid "$server_pid" --label dashboard --run dashboard \
  >"$logs-load.log" 2>&1 &
pids+=("$!")
load=$!
sleep 15
timeout 240 java -Xmx512m -cp "$work/chat-bench.jar" dev.jchat.bench.Soak --url "$url" --clients 100 \
  --minutes 1 --deliveries-per-second 500 --resumers 10 >"$logs-soak.log" 2>&1 &
pids+=("$!")
soak=$!

status=0
wait "$load" || status=$?
sleep 12 # the soak's members leave, and the rates come down
kill "$scraper" 2>/dev/null || true
wait "$scraper" 2>/dev/null || true
echo "load generator (exit $status):"
grep -E "^(clients|senders|rate|opened|failed|sent|received|duplicates|gaps|deliveries_per_s|p50_ms|p99_ms|cpu_us_per_delivery|errors|saturated) " \
  "$logs-load.log" | sed 's/^/  /' || cat "$logs-load.log"

title="Chat: bench/run-dashboard.sh, $stamp, rooms in ${mode%% *}; 200 clients with 10 sending 4/s, and from the 18th second 100 more (the soak, with a hostile client)"
"$python" bench/dashboard.py "$metrics" --instance "127.0.0.1:$port" --title "$title" --out docs/dashboard.png

echo "soak (still finishing: it waits 65 s after its members leave):"
soak_status=0
wait "$soak" || soak_status=$?
grep -E "^(clients_joined|messages_published|lost|duplicated|out_of_order|hostile_leaked|resumes_done|closed_by_server|hostile_errors|hostile_closes|result) " \
  "$logs-soak.log" | sed 's/^/  /' || cat "$logs-soak.log"
echo "soak exit $soak_status; logs: $logs-*"
[ "$status" = 0 ] && [ "$soak_status" = 0 ] # the picture is drawn either way; the exit says whether the run went as planned
