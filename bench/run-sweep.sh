#!/usr/bin/env bash
# Runs the chat server on every runtime and the tutorials' Node server side by side under the same
# loads, one after the other, a fresh server process per point, on loopback only, and writes
# bench/results/<time>.csv, the tables in bench/results/latest.md and, with gnuplot installed
# (apt-get install gnuplot-nox), the charts bench/results/<time>-*.svg (bench/plot.sh).
#
#   bench/run-sweep.sh              the documented sweep: the load points, then the saturation
#                                   search at 1000 clients (about 35 minutes)
#   bench/run-sweep.sh --quick      small points, a few seconds each: a smoke test
#   bench/run-sweep.sh --saturation only the highest rate each server sustains at 1000 clients
#   bench/run-sweep.sh --ab JAR     this build against an earlier one (JAR, e.g. built from an older
#                                   commit) at 1000 x 10 @ 5/s: before, now, reference, three times
#                                   in turn, so that ratios come from side-by-side runs (~5 minutes);
#                                   the report ends with the medians and their ratios to before
#   SERVERS="ours reference" bench/run-sweep.sh ...   only those servers, in that order (with --ab:
#                                   the ones after the earlier build's row; default "ours reference")
#   AB_RUNS=5 bench/run-sweep.sh --ab JAR             five turns instead of three
#   bench/run-sweep.sh --hook       this build without and with a publish hook that answers every
#                                   message in HOOK_MS ms (default 5; HookReceiver of the bench jar,
#                                   a process of its own) at 1000 x 10 @ 5/s, AB_RUNS times in turn
#                                   (~4 minutes); the report is bench/results/hook-<time>.md
#
# The servers, each run as its Docker image runs it (bench/common.sh, start_runtime):
#   ours       the standalone jar, Parallel GC (docker/standalone.Dockerfile)
#   ours-g1    the standalone jar with the JVM's default G1, as the README's java -jar runs it
#   ours-hook  the standalone jar with CHAT_PUBLISH_HOOK_URL at a HookReceiver answering in HOOK_MS ms
#   tomcat     the WAR in Tomcat 10.1 (docker/Dockerfile: its buffers, docker/tomcat-server.xml)
#   payara     the WAR in Payara Micro 6 (docker/payara.Dockerfile)
#   reference  the tutorials' Node server (bench/reference)
# Ours get room for the load: no rate limit, no history replay, no idle or send timeout that a
# point could reach, a large outbox.
#
# All clients share one name (--names 1): the reference server has no presence, so this compares
# the fan-out of chat messages, not the join and leave announcements. Memory is sampled after a
# full GC of a JVM server (--gc-samples), so garbage does not count as memory per connection, and
# the heap the load left behind is measured the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

mode=${1:-full}
before_jar=
if [ "$mode" = --ab ]; then
  before_jar=$(realpath "${2:?--ab needs the jar of the earlier build}")
fi
servers=${SERVERS:-ours ours-g1 tomcat payara reference}
[ -n "$before_jar" ] && servers=${SERVERS:-ours reference}
[ "$mode" = --hook ] && servers=${SERVERS:-ours ours-hook}
ab_runs=${AB_RUNS:-3}
[[ $ab_runs =~ ^[1-9][0-9]?$ ]] || { echo "AB_RUNS must be 1..99" >&2; exit 2; }
hook_ms=${HOOK_MS:-5}
[[ $hook_ms =~ ^[0-9]{1,4}$ ]] || { echo "HOOK_MS must be 0..9999" >&2; exit 2; }
for server in $servers; do
  case $server in ours|ours-g1|ours-hook|tomcat|payara|reference) ;; *) echo "unknown server $server" >&2; exit 2 ;; esac
done
build_jars true
case " $servers " in *" reference "*) (cd bench/reference && npm ci --no-audit --no-fund --loglevel=error) ;; esac
work=$(mktemp -d /tmp/chat-sweep.XXXXXX)
server_group=
hook_pid=
trap 'stop_group "$server_group" 30; stop_processes "$hook_pid"; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
copy_runtimes "$work"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=bench/results/${before_jar:+ab-}$stamp.csv
[ "$mode" = --hook ] && csv=bench/results/hook-$stamp.csv
warmup=5 measure=15
saturation=true
case $mode in
  --quick) points=("20 2 10" "50 5 20"); warmup=1 measure=3; saturation=false ;;
  --saturation) points=() ;;
  --ab|--hook) points=(); saturation=false ;;
  full) points=("100 10 50" "100 10 100" "1000 10 5" "1000 10 10" "5000 1 2" "10000 0 0") ;;
  *) echo "usage: $0 [--quick | --saturation | --ab JAR | --hook]" >&2; exit 2 ;;
esac


runtime_of() { # a server's runtime (bench/common.sh)
  case $1 in
    ours|ours-before|ours-hook) echo standalone ;;
    ours-g1) echo standalone-g1 ;;
    reference) echo node ;;
    *) echo "$1" ;;
  esac
}

run_point() { # clients senders rate server run -> appends one CSV row and prints its key figures
  local clients=$1 senders=$2 rate=$3 server=$4 run=$5 runtime port path=/chat
  runtime=$(runtime_of "$server")
  port=$(free_port)
  [ "$server" = ours-before ] && standalone_jar=$before_jar || standalone_jar=
  local -a hook=()
  if [ "$server" = ours-hook ]; then # the hook first: the server is pointed at it from its start
    local hook_port
    hook_port=$(free_port)
    java -cp bench/target/chat-bench.jar dev.jchat.bench.HookReceiver --port "$hook_port" --delay-ms "$hook_ms" \
      >"bench/results/$stamp-hook.log" 2>&1 &
    hook_pid=$!
    for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$hook_port") 2>/dev/null && break; sleep 0.1; done
    hook=(CHAT_PUBLISH_HOOK_URL="http://127.0.0.1:$hook_port/hook")
  fi
  start_runtime "$runtime" "$port" "$work/$server" "bench/results/$stamp-$server.log" \
    CHAT_RATE_PER_SECOND=0 CHAT_HISTORY_REPLAY=0 CHAT_IDLE_TIMEOUT_SECONDS=3600 \
    CHAT_OUTBOX_BYTES=268435456 CHAT_SEND_TIMEOUT_SECONDS=3600 CHAT_MAX_CONNECTIONS=20000 ${hook[@]+"${hook[@]}"}
  if ! wait_serving "$runtime" "$port"; then
    echo "$server did not start; see bench/results/$stamp-$server.log" >&2
    stop_group "$server_group" 30; server_group=
    stop_processes "$hook_pid"; hook_pid=
    echo "saturated true" >bench/results/last-run.txt # a saturation search stops there
    return 0
  fi
  [ "$server" = reference ] && path=/
  java -Xmx3g -jar bench/target/chat-bench.jar --url "ws://127.0.0.1:$port$path" --clients "$clients" \
    --senders "$senders" --rate "$rate" --warmup "$warmup" --measure "$measure" --pid "$server_pid" \
    --label "$server" --run "$run" --csv "$csv" --connect-rate 1000 --names 1 --gc-samples | tee "bench/results/last-run.txt" | grep -E "^(label|deliveries_per_s|p99_ms|cpu_us_per_delivery|saturated) " | tr '\n' ' '
  echo
  stop_group "$server_group" 30; server_group=
  stop_processes "$hook_pid"; hook_pid=
}

for point in "${points[@]}"; do
  read -r clients senders rate <<<"$point"
  for server in $servers; do
    run_point "$clients" "$senders" "$rate" "$server" sweep
  done
done

if [ -n "$before_jar" ]; then
  for ((run = 1; run <= ab_runs; run++)); do
    for server in ours-before $servers; do
      run_point 1000 10 5 "$server" "ab$run"
    done
  done
fi

if [ "$mode" = --hook ]; then
  for ((run = 1; run <= ab_runs; run++)); do
    for server in $servers; do
      run_point 1000 10 5 "$server" "hook$run"
    done
  done
fi

if [ "$saturation" = true ]; then
  warmup=3 measure=10
  for server in $servers; do
    for rate in 2 3 4 5 6 7 8 9 10 12 15; do
      run_point 1000 10 "$rate" "$server" saturation
      grep -q "^saturated *true" bench/results/last-run.txt && break
    done
  done
fi

md=bench/results/latest.md
[ -n "$before_jar" ] && md=bench/results/ab-$stamp.md # an A/B is not the sweep the docs paste
[ "$mode" = --hook ] && md=bench/results/hook-$stamp.md
java -cp bench/target/chat-bench.jar dev.jchat.bench.Report "$csv" | tee "$md"
echo "wrote $csv and $md"
if [ "$saturation" = true ]; then
  bench/plot.sh "$csv" || echo "no charts (bench/plot.sh said why above)" >&2
fi
