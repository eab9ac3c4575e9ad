#!/usr/bin/env bash
# Memory per idle connection on every runtime, side by side in one run (issue 14): the standalone
# jar (Tyrus on Grizzly), the WAR in Tomcat 10.1, the WAR in Payara Micro 6, and the tutorials'
# Node server (bench/reference) for scale. For each runtime, one after the other, on 127.0.0.1:
#
#   1. start it fresh on a free loopback port, from a copy of the built artifact, and wait until
#      it serves its page (the reference: until it accepts TCP);
#   2. warm it up: 20 connections open and close, so that classes, JIT code and the room and name
#      they use are there before the baseline (--no-warmup to skip);
#   3. baseline: RSS (VmRSS) and, for a JVM, the heap in use, both after two full GCs
#      (jcmd GC.run, then GC.heap_info: the "used" of every generation, as ServerHeap sums it);
#   4. open N idle WebSocket connections with the load generator (bench/target/chat-bench.jar:
#      --senders 0 --rate 0 --names 1, all in room "bench" under one shared name, as the sweep's
#      "10000 0 0" point, so presence costs one join, not N; with rooms, in the same R rooms),
#      wait until the server holds all N (ss counts them established; a JVM's /metrics must say
#      chat_connections N; the generator says it is ready: every welcome came), let them settle;
#   5. the same samples again; then stop the generator and the server.
#
# KB per connection = (after - before) / N. The heap figure is the steadier one: RSS after a GC
# still holds the pages the collector touched before it (ParallelGC never gives them back).
# Prints a table and writes it to bench/results/idle-<UTC time>.md and .csv, with each server's
# log next to them (idle-<time>-<runtime>.log).
#
#   bench/run-idle.sh                    N=2000 on standalone, tomcat, payara and node (~2 min)
#   bench/run-idle.sh --quick            N=200
#   bench/run-idle.sh --connections N    N idle connections (1..18000: ulimit -n is 20000 here)
#   bench/run-idle.sh --runtimes "standalone tomcat tomcat:CHAT_MAX_FRAME_BYTES=8192"
#                                        which rows, in order; NAME:KEY=VALUE[,KEY=VALUE...] gives
#                                        that row extra environment (any runtime, any CHAT_*);
#                                        runtimes: standalone, standalone-g1, tomcat, payara, node;
#                                        two lowercase keys are the script's, not environment:
#                                        jar=PATH runs a standalone row from another
#                                        chat-standalone.jar (e.g. built from an older commit),
#                                        rooms=N gives that row --rooms-per-connection N
#   bench/run-idle.sh --rooms-per-connection N
#                                        every connection in N rooms, protocol version 3 (v=3:
#                                        room bench from the query, bench-2 .. bench-N by
#                                        subscribe, every connection in the same N rooms); samples
#                                        once all N welcomes came. Default 0: no v=3, one room.
#                                        Rows of one runtime that differ only in rooms= also get
#                                        KB per subscription: (KB at N - KB at the fewest) / (N -
#                                        fewest). A subscribe counts against CHAT_RATE_* (burst
#                                        30): past 31 rooms add --env CHAT_RATE_PER_SECOND=0
#   bench/run-idle.sh --env KEY=VALUE    environment for every runtime (repeatable)
#   bench/run-idle.sh --settle S         seconds to wait once all are open (default 5)
#   bench/run-idle.sh --no-warmup        no warm-up connections before the baseline
#   bench/run-idle.sh --histogram        also write, for each JVM, the classes whose heap grew most
#                                        with the connections (jcmd GC.class_histogram before and
#                                        after: idle-<time>-<runtime>-histogram.txt)
#   bench/run-idle.sh --build            package the server (tests skipped) and the bench jar first;
#                                        without it they are built only when missing
#
# Each runtime runs as its Docker image runs it: bench/common.sh's start_runtime says how.
# On this 2-core 24 GiB machine the JVM's default collector is G1; in a container with less than
# 2 CPUs or 1792 MB it would be Serial.
#
# Every runtime gets the images' defaults for CHAT_* except CHAT_IDLE_TIMEOUT_SECONDS=3600 (the
# generator's clients never send, and at the default 60 s the server would close them mid-run)
# and CHAT_MAX_CONNECTIONS=20000; CHAT_* variables of the caller are not passed on (use --env or
# NAME:KEY=VALUE). Bounded: each server runs under `timeout` (it ends itself even if this script
# is killed), every wait has a deadline, and the trap stops what is still running.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

args="$*"
connections=2000
rooms_default=0
runtimes="standalone tomcat payara node"
settle=5
warmup=true
build=false
histogram=false
global_env=()
usage() {
  sed -n '/^#   bench\/run-idle.sh/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) connections=200; shift ;;
    --connections) connections=${2:?--connections needs a number}; shift 2 ;;
    --runtimes) runtimes=${2:?--runtimes needs a list}; shift 2 ;;
    --rooms-per-connection) rooms_default=${2:?--rooms-per-connection needs a number}; shift 2 ;;
    --env) global_env+=("${2:?--env needs KEY=VALUE}"); shift 2 ;;
    --settle) settle=${2:?--settle needs seconds}; shift 2 ;;
    --no-warmup) warmup=false; shift ;;
    --build) build=true; shift ;;
    --histogram) histogram=true; shift ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
[[ $connections =~ ^[0-9]+$ ]] && [ "$connections" -ge 1 ] && [ "$connections" -le 18000 ] \
  || { echo "--connections must be 1..18000" >&2; exit 2; }
[[ $settle =~ ^[0-9]+$ ]] || { echo "--settle must be whole seconds" >&2; exit 2; }
[[ $rooms_default =~ ^[0-9]+$ ]] && [ "$rooms_default" -le 100 ] \
  || { echo "--rooms-per-connection must be 0..100" >&2; exit 2; }
# rows are separated by spaces; a row without settings may also be separated by commas
# ("standalone,tomcat"); in a row with settings, commas separate its KEY=VALUE pairs
rows_given=$runtimes runtimes=""
for spec in $rows_given; do
  if [[ $spec == *:* ]]; then runtimes+=" $spec"; else runtimes+=" ${spec//,/ }"; fi
done
for spec in $runtimes; do
  case ${spec%%:*} in
    standalone|standalone-g1|tomcat|payara|node) ;;
    *) echo "unknown runtime ${spec%%:*} (standalone, standalone-g1, tomcat, payara, node)" >&2; exit 2 ;;
  esac
  if [[ $spec == *:* ]]; then
    IFS=, read -r -a settings <<<"${spec#*:}"
    for setting in "${settings[@]}"; do
      case $setting in
        jar=*) [[ ${spec%%:*} == standalone* ]] && [ -f "${setting#jar=}" ] \
          || { echo "$spec: jar= is for standalone rows, and names a file" >&2; exit 2; } ;;
        rooms=*) [[ ${setting#rooms=} =~ ^[0-9]+$ ]] && [ "${setting#rooms=}" -le 100 ] \
          || { echo "$spec: rooms= must be 0..100" >&2; exit 2; } ;;
      esac
    done
  fi
done

began=$(date +%s)
if [ "$build" = true ] || [ ! -f bench/target/chat-bench.jar ]; then
  ./mvnw -B -q -o -f bench/pom.xml package
fi

# Each process (the server, the generator) holds N sockets and its own files.
need=$((connections + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "ulimit -n is $(ulimit -n), $need needed for $connections connections" >&2
  exit 1
fi

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
md=bench/results/idle-$stamp.md
csv=bench/results/idle-$stamp.csv
work=$(mktemp -d /tmp/chat-idle.XXXXXX)
server_group= gen_group=

cleanup() {
  stop_group "$gen_group" 5; gen_group=
  stop_group "$server_group" 30; server_group=
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

artifact() { # $1 = file: its time and the start of its SHA-256
  printf '%s (%s, sha256 %s)' "$1" "$(date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ)" "$(sha256sum "$1" | cut -c1-12)"
}
copy_runtimes "$work" "$build"
built="$(artifact target/chat-standalone.jar); $(artifact target/chat.war)"
java_version=$(java -version 2>&1 | sed -n 2p)

# ---- samples -------------------------------------------------------------------------------

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

is_jvm() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = java ]; }

# Prints "RSS_KB HEAP_USED_KB HEAP_COMMITTED_KB" after two full GCs (heap "-" when not a JVM).
sample() {
  local pid=$1 info used committed
  if ! is_jvm "$pid"; then
    echo "$(rss_kb "$pid") - -"
    return
  fi
  timeout 60 jcmd "$pid" GC.run >/dev/null || true
  sleep 1
  timeout 60 jcmd "$pid" GC.run >/dev/null || true
  info=$(timeout 60 jcmd "$pid" GC.heap_info || true)
  # G1: one "garbage-first heap total ..K, used ..K"; Parallel and Serial: young and old (Metaspace
  # says "used" first, so it does not match)
  used=$(grep -oE 'total [0-9]+K, used [0-9]+K' <<<"$info" | awk -F'[ K,]+' '{u += $4} END {print u + 0}' || true)
  committed=$(grep -oE 'total [0-9]+K, used [0-9]+K' <<<"$info" | awk -F'[ K,]+' '{c += $2} END {print c + 0}' || true)
  echo "$(rss_kb "$pid") $used $committed"
}

histogram_of() { # $1 = pid: "BYTES INSTANCES CLASS" per class, after a full GC
  timeout 120 jcmd "$1" GC.class_histogram 2>/dev/null | awk '$1 ~ /^[0-9]+:$/ {print $3, $2, $4}' || true
}

# histogram_growth BEFORE AFTER N: the 25 classes whose bytes grew most, per connection
histogram_growth() {
  awk -v n="$3" '
    FNR == NR {b[$3] = $1; i[$3] = $2; next}
    {d = $1 - b[$3]; if (d > 0) printf "%12d %10.1f %10.2f  %s\n", d, d / n, ($2 - i[$3]) / n, $3}
  ' "$1" "$2" | sort -rn | awk 'NR <= 25' \
    | awk 'BEGIN {printf "%12s %10s %10s  %s\n", "bytes", "B/conn", "inst/conn", "class"} {print}'
}

established() { # server-side sockets established on port $1
  ss -Htn state established "( sport = :$1 )" | wc -l
}

metric_connections() { # chat_connections from the server's /metrics, or "-"
  local value
  value=$(curl -s --max-time 5 "http://127.0.0.1:$1/metrics" | awk '$1 == "chat_connections" {print int($2)}' || true)
  echo "${value:--}"
}

# generate PORT CLIENTS MEASURE LOG ROOMS: the load generator, idle clients, each in ROOMS rooms
# (0: as before, no v=3), in the background
generate() {
  timeout --kill-after=5 $(($3 + 120)) java -Xmx2g -jar bench/target/chat-bench.jar \
    --url "ws://127.0.0.1:$1/chat" --clients "$2" --senders 0 --rate 0 --names 1 \
    --rooms-per-connection "$5" --warmup 0 --measure "$3" --connect-rate 1000 --label idle \
    </dev/null >"$4" 2>&1 &
  gen_group=$!
}

wait_established() { # PORT COUNT SECONDS: until exactly COUNT are established, or the deadline
  local deadline=$((SECONDS + $3))
  while [ "$(established "$1")" -ne "$2" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

echo "runtime,spec,connections,open,server_connections,rss_before_kb,rss_after_kb,rss_kb_per_conn,heap_before_kb,heap_after_kb,heap_kb_per_conn,heap_committed_after_kb,start_s,jvm_flags,env,note,rooms_per_connection,welcomed,jar" >"$csv"
rows=()
jars=() # "NAME JAR" of each jar= given, for the report

measure_runtime() { # $1 = spec NAME[:KEY=VALUE,...]
  local spec=$1 name=${1%%:*} extra=() note="" port dir log start_s settings=() setting
  local rooms=$rooms_default jar= jar_given=
  [[ $spec == *:* ]] && IFS=, read -r -a settings <<<"${spec#*:}"
  for setting in "${settings[@]}"; do
    case $setting in
      jar=*) jar_given=${setting#jar=} jar=$work/jar-${#jars[@]}.jar
        cp "$jar_given" "$jar" # a copy, as for the other runtimes
        jars+=("$spec: $(artifact "${setting#jar=}")") ;;
      rooms=*) rooms=${setting#rooms=} ;;
      *) extra+=("$setting") ;;
    esac
  done
  if [ "$name" = node ] && { ! command -v node >/dev/null || [ ! -d bench/reference/node_modules ]; }; then
    if command -v node >/dev/null && command -v npm >/dev/null; then
      (cd bench/reference && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || true
    fi
    if [ ! -d bench/reference/node_modules ]; then
      echo "$spec: skipped (no node or no bench/reference/node_modules)"
      return 0
    fi
  fi
  port=$(free_port)
  dir=$work/$(tr -c 'A-Za-z0-9\n' _ <<<"$spec")
  mkdir -p "$dir"
  log=bench/results/idle-$stamp-$(tr -c 'A-Za-z0-9=\n' _ <<<"$spec").log
  local env_all=(CHAT_IDLE_TIMEOUT_SECONDS=3600 CHAT_MAX_CONNECTIONS=20000 "${global_env[@]}" "${extra[@]}")
  echo "== $spec on 127.0.0.1:$port ${env_all[*]}${jar:+ (jar $jar_given)}, $rooms rooms per connection"
  standalone_jar=$jar
  start_runtime "$name" "$port" "$dir" "$log" "${env_all[@]}"
  standalone_jar=
  local t0ns
  t0ns=$(date +%s%N)
  if ! wait_serving "$name" "$port"; then
    echo "$spec: did not serve; its log ($log):" >&2
    tail -n 30 "$log" >&2
    stop_group "$server_group" 30; server_group=
    rows+=("$spec|$rooms|$connections|-|-|-|-|-|-|-|-|-|did not start")
    echo "$name,$spec,$connections,,,,,,,,,,,$(runtime_flags "$name"),${env_all[*]},did not start,$rooms,,$jar_given" >>"$csv"
    return 0
  fi
  start_s=$(awk -v a="$t0ns" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
  echo "   serving after ${start_s} s (pid $server_pid)"

  if [ "$warmup" = true ]; then
    local w=$((connections < 20 ? connections : 20))
    generate "$port" "$w" 1 "$dir/warmup.log" "$rooms"
    wait "$gen_group" 2>/dev/null || true
    gen_group=
    wait_established "$port" 0 30 || note+="warm-up connections still open; "
    sleep 2
  fi
  is_jvm "$server_pid" && metric_connections "$port" >/dev/null # /metrics warmed up too
  local before after
  before=$(sample "$server_pid")
  echo "   before: RSS ${before%% *} KB, heap $(cut -d' ' -f2 <<<"$before") KB"
  [ "$histogram" = true ] && is_jvm "$server_pid" && histogram_of "$server_pid" >"$dir/histogram-before.txt"

  # the generator holds the connections up to 300 s; it is stopped once the samples are taken
  generate "$port" "$connections" 300 "$dir/generator.log" "$rooms"
  local deadline=$((60 + connections / 100 + connections * rooms / 1000))
  local open=0 held=- welcomed=-
  local end=$((SECONDS + deadline))
  while :; do
    open=$(established "$port")
    # the generator's "ready" line: every connection open and, with rooms, every welcome came
    [ "$open" -ge "$connections" ] && grep -q '^ready ' "$dir/generator.log" && break
    if [ $SECONDS -ge $end ] || ! kill -0 "$gen_group" 2>/dev/null; then
      note+="only $open of $connections connected (or not ready); "
      break
    fi
    sleep 0.5
  done
  if [ "$rooms" -gt 0 ]; then
    welcomed=$(sed -n 's/^ready .*welcomed=\([0-9]*\).*/\1/p' "$dir/generator.log")
    [ "${welcomed:-0}" -eq "$connections" ] || note+="${welcomed:-no} connections had all $rooms welcomes; "
  fi
  if is_jvm "$server_pid"; then
    end=$((SECONDS + 30))
    while held=$(metric_connections "$port"); [ "$held" != "$connections" ] && [ $SECONDS -lt $end ]; do
      sleep 0.5
    done
  fi
  sleep "$settle"
  after=$(sample "$server_pid")
  open=$(established "$port")
  [ "$open" -eq "$connections" ] || note+="$open established at the sample; "
  if [ "$histogram" = true ] && is_jvm "$server_pid"; then
    histogram_of "$server_pid" >"$dir/histogram-after.txt"
    local histo=${log%.log}-histogram.txt
    { echo "# $spec: heap growth by class with $connections idle connections (jcmd GC.class_histogram)"
      histogram_growth "$dir/histogram-before.txt" "$dir/histogram-after.txt" "$connections"; } >"$histo"
    echo "   wrote $histo"
  fi
  echo "   after $connections: RSS ${after%% *} KB, heap $(cut -d' ' -f2 <<<"$after") KB, open $open, server counts $held"
  stop_group "$gen_group" 5; gen_group=
  stop_group "$server_group" 30; server_group=

  local rb ra hb ha hc rper hper
  read -r rb hb _ <<<"$before"
  read -r ra ha hc <<<"$after"
  rper=$(awk -v a="$ra" -v b="$rb" -v n="$connections" 'BEGIN {printf "%.1f", (a - b) / n}')
  if [ "$hb" = - ]; then hper=-; else
    hper=$(awk -v a="$ha" -v b="$hb" -v n="$connections" 'BEGIN {printf "%.1f", (a - b) / n}')
  fi
  rows+=("$spec|$rooms|$connections|$open|$rb|$ra|$rper|$hb|$ha|$hper|$start_s|${note%; }")
  echo "$name,$spec,$connections,$open,$held,$rb,$ra,$rper,$hb,$ha,$hper,$hc,$start_s,$(runtime_flags "$name"),${env_all[*]},${note%; },$rooms,$welcomed,$jar_given" >>"$csv"
}

# KB per subscription: each row against the nearest row (in the order run, the one before it on a
# tie) of fewest rooms whose spec is the same but for rooms= (the same runtime, jar and
# environment), so that rows given in turn ("standalone:rooms=1 standalone:rooms=20" twice) pair
# up; as table lines
per_subscription() {
  local row r ro kh kr base
  for row in "${rows[@]}"; do
    IFS='|' read -r r ro _ _ _ _ kr _ _ kh _ _ <<<"$row"
    [ "$kh" = - ] && kh=0
    base=$(sed -E 's/(^|[:,])rooms=[0-9]+/\1/; s/:,/:/; s/,,/,/; s/[:,]$//' <<<"$r")
    echo "$base|$ro|$kh|$kr|$r"
  done | awk -F'|' '
    function abs(x) { return x < 0 ? -x : x }
    { n[$1]++; row[$1, n[$1]] = NR; spec[$1, n[$1]] = $5; rooms[$1, n[$1]] = $2; kh[$1, n[$1]] = $3; kr[$1, n[$1]] = $4 }
    END {
      for (b in n) {
        lo = 0 # the fewest rooms with version 3: a version-2 row (rooms 0) is another protocol
        for (i = 1; i <= n[b]; i++) if (rooms[b, i] > 0 && (lo == 0 || rooms[b, i] < rooms[b, lo])) lo = i
        for (i = 1; lo > 0 && i <= n[b]; i++) if (rooms[b, i] > rooms[b, lo]) {
          j = 0
          for (k = 1; k <= n[b]; k++)
            if (rooms[b, k] == rooms[b, lo] && (j == 0 || abs(k - i) < abs(j - i))) j = k
          d = rooms[b, i] - rooms[b, j]
          printf "| %s (row %d) | %s (row %d) | %d | %.2f | %.2f |\n", spec[b, i], row[b, i], spec[b, j], row[b, j], d,
            (kh[b, i] - kh[b, j]) / d, (kr[b, i] - kr[b, j]) / d
        }
      }
    }'
}

for spec in $runtimes; do
  measure_runtime "$spec"
done

mb() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
elapsed=$(($(date +%s) - began))
{
  echo "# Memory per idle connection, $stamp"
  echo
  echo "\`bench/run-idle.sh $args\`: $connections idle WebSocket connections per runtime (one name; one room, or rooms/conn),"
  echo "RSS and heap in use after two full GCs, before and after; $elapsed s in all."
  echo
  echo "| runtime | rooms/conn | N | open | RSS before MB | RSS after MB | KB RSS/conn | heap before MB | heap after MB | KB heap/conn | start s | note |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for row in "${rows[@]}"; do
    IFS='|' read -r r ro n o rb ra rper hb ha hper st nt <<<"$row"
    echo "| $r | $ro | $n | $o | $(mb "$rb") | $(mb "$ra") | $rper | $(mb "$hb") | $(mb "$ha") | $hper | $st | $nt |"
  done
  echo
  subscriptions=$(per_subscription)
  if [ -n "$subscriptions" ]; then
    echo "KB per subscription: per connection, a row with more rooms less the nearest row of the same"
    echo "runtime with the fewest, divided by the rooms between them (rooms/conn 0 is protocol version 2,"
    echo "not counted; rows numbered from 1 in the table's order):"
    echo
    echo "| runtime | against | more rooms | KB heap per subscription | KB RSS per subscription |"
    echo "|---|---|---:|---:|---:|"
    echo "$subscriptions"
    echo
  fi
  echo "- JVM: $java_version; node $(node --version 2>/dev/null || echo -)"
  echo "- standalone: java $(runtime_flags standalone) -jar chat-standalone.jar (docker/standalone.Dockerfile)"
  echo "- tomcat: $tomcat_version, catalina.sh run with $(runtime_flags tomcat) (tomcat:10.1-jre17 + docker/Dockerfile), docker/tomcat-server.xml, ROOT.war"
  echo "- payara: java $(runtime_flags payara) -jar payara-micro.jar --nohazelcast --disablephonehome (payara/micro:6 + docker/payara.Dockerfile), ROOT.war"
  echo "- every runtime: $(echo CHAT_IDLE_TIMEOUT_SECONDS=3600 CHAT_MAX_CONNECTIONS=20000 "${global_env[@]}"), other CHAT_* at their defaults"
  echo "- built: $built"
  [ ${#jars[@]} -eq 0 ] || printf -- '- %s\n' "${jars[@]}" | awk '!seen[$0]++' # each jar once
  echo "- rooms/conn: 0 = protocol version 2, one room; N = v=3, room bench and N-1 more by subscribe, every connection in the same N rooms"
  [ "$histogram" = true ] && echo "- heap growth by class: bench/results/idle-$stamp-*-histogram.txt"
  echo "- warm-up: $warmup (20 connections opened and closed before the baseline); settle: $settle s"
} >"$md"
echo
cat "$md"
echo
echo "wrote $md and $csv"
