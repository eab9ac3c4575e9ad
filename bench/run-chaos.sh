#!/usr/bin/env bash
# The chaos run (issue 27): three chat servers on a Redis master with one replica watched by three
# sentinels (CHAT_REDIS_URL=redis-sentinel://...#chaos), clients sending and reading in several
# rooms across the servers, resuming with since whenever a connection ends; at a given second the
# master is killed with SIGKILL, a sentinel promotes the replica, and the run goes on. Once with
# CHAT_REDIS_WAIT_REPLICAS=0 and once with 1 (each on fresh processes), it prints sent,
# acknowledged (the sender's echo), refused (`unavailable`), lost (acknowledged and missing at a
# reader), duplicated, out of order, epoch changes seen by the clients, and the seconds from the
# kill to the first message sent after it being acknowledged and delivered to every reader
# (dev.jchat.bench.Chaos), and writes them to bench/results/chaos-<UTC time>.md. Five seconds after
# the kill the old master is started again on its port and data, as a supervisor would: the
# sentinels make it the new master's replica (with one replica and WAIT 1, no message can be
# acknowledged until the new master has a replica again).
#
#   bench/run-chaos.sh                 the documented run: 60 s of traffic, the kill at 20 s
#   bench/run-chaos.sh --quick         20 s, the kill at 8 s
#   bench/run-chaos.sh --wait "1"      only the runs with these CHAT_REDIS_WAIT_REPLICAS values
#   bench/run-chaos.sh --no-build      run the jar already in target/
#   bench/run-chaos.sh --jar FILE      run another build of the standalone jar
#
# Everything listens on 127.0.0.1, on free ports, in a temporary directory, and is stopped when the
# script ends, also on failure or Ctrl-C. Redis keeps an AOF (appendfsync everysec, as the README
# advises); the sentinels declare the master down after 1 s without an answer. Exits non-zero when
# a run lost, duplicated or reordered an acknowledged message.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

seconds=60 kill_at=20
rooms=3 senders=2 readers=3 rate=10 # per room: 2 senders at 10/s each, 3 readers; 15 clients a room
waits="0 1"
build=true
jar=target/chat-standalone.jar
while [ $# -gt 0 ]; do
  case $1 in
    --quick) seconds=20 kill_at=8; shift ;;
    --wait) waits=${2:?--wait needs values}; shift 2 ;;
    --no-build) build=false; shift ;;
    --jar) jar=${2:?--jar needs a file}; build=false; shift 2 ;;
    *) echo "usage: $0 [--quick] [--wait \"0 1\"] [--no-build | --jar FILE]" >&2; exit 2 ;;
  esac
done

build_jars "$build"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
md=bench/results/chaos-$stamp.md
work=$(mktemp -d)
pids=() # everything started for the run under way, stopped in this order: chat servers first
cleanup() {
  stop_processes "${pids[@]}"
  stop_restarted
  rm -rf "$work"
}
# The old master started again by the kill command (not this shell's child: Chaos runs it).
stop_restarted() {
  local f
  for f in "$work"/wait-*/restarted.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$jar" "$work/chat-standalone.jar"
cp bench/target/chat-bench.jar "$work/chat-bench.jar"

# One run on fresh processes; $1 = CHAT_REDIS_WAIT_REPLICAS. Appends a row to the table.
run_once() {
  local wait=$1 dir=$work/wait-$1 master replica sentinels="" s port urls="" url pid out status
  mkdir -p "$dir"
  master=$(free_port)
  start_redis "$master" "$dir/master" "$dir/master.log" --save "" --appendonly yes
  local master_pid=$started_redis_pid
  replica=$(free_port)
  start_redis "$replica" "$dir/replica" "$dir/replica.log" --save "" --appendonly yes --replicaof 127.0.0.1 "$master"
  local replica_pid=$started_redis_pid
  for s in 1 2 3; do
    port=$(free_port)
    cat >"$dir/sentinel-$s.conf" <<CONF
sentinel monitor chaos 127.0.0.1 $master 2
sentinel down-after-milliseconds chaos 1000
sentinel failover-timeout chaos 5000
sentinel parallel-syncs chaos 1
CONF
    start_redis "$port" "$dir/sentinel-$s" "$dir/sentinel-$s.log" "$dir/sentinel-$s.conf" --sentinel
    pids+=("$started_redis_pid")
    sentinels+="${sentinels:+,}127.0.0.1:$port"
  done
  pids+=("$replica_pid" "$master_pid")
  # the replica in sync, and known to the sentinels, before anything is measured
  for _ in $(seq 1 100); do
    redis-cli -p "$replica" info replication | grep -q 'master_link_status:up' \
      && [ "$(redis-cli -p "${sentinels##*:}" sentinel replicas chaos | grep -c "^$replica$")" = 1 ] && break
    sleep 0.2
  done
  for s in a b c; do
    CHAT_HOST=127.0.0.1 CHAT_PORT=0 CHAT_REDIS_URL="redis-sentinel://$sentinels#chaos" \
      CHAT_REDIS_WAIT_REPLICAS="$wait" CHAT_RATE_PER_SECOND=0 \
      java -XX:+UseParallelGC -Xmn32m -jar "$work/chat-standalone.jar" >"$dir/chat-$s.log" 2>&1 &
    pid=$!
    pids=("$pid" "${pids[@]}")
    url=$(await_server_url "$dir/chat-$s.log" "$pid")
    urls+="${urls:+,}$url"
  done
  out=$dir/chaos.txt
  status=0
  timeout $((seconds + 90)) java -cp "$work/chat-bench.jar" dev.jchat.bench.Chaos "$urls" "$rooms" "$senders" "$readers" \
    "$rate" "$seconds" "$kill_at" "kill -9 $master_pid; sleep 5; redis-server --port $master --bind 127.0.0.1 \
      --dir $dir/master --save '' --appendonly yes >>$dir/master.log 2>&1 & echo \$! >$dir/restarted.pid" \
    >"$out" 2>&1 || status=$?
  cat "$out"
  local row="| $wait |" key
  for key in sent acknowledged refused unanswered lost duplicated out_of_order epoch_changes reconnects \
      first_ack_after_kill_s every_reader_after_kill_s; do
    row+=" $(sed -n "s/^$key=//p" "$out") |"
  done
  echo "$row" >>"$md"
  {
    echo
    echo "WAIT_REPLICAS=$wait: warnings and errors in the chat servers' logs (counted):"
    cat "$dir"/chat-?.log | grep -E '^(WARNING|SEVERE):' | sort | uniq -c | sed 's/^/    /' || echo "    none"
  } >>"$work/notes.md"
  stop_processes "${pids[@]}"
  stop_restarted
  pids=()
  return "$status"
}

{
  echo "# bench/run-chaos.sh, $stamp"
  echo
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
    "java: $(java -version 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3)"
  echo "- 3 chat servers, a master, a replica, 3 sentinels (down after 1 s); $rooms rooms x ($senders senders at" \
    "$rate/s + $readers readers), clients spread over the servers; $seconds s of sending, the master killed (SIGKILL)" \
    "at $kill_at s and started again 5 s later (it comes back as the new master's replica), then 15 s for what is late"
  echo
  echo "| WAIT_REPLICAS | sent | acknowledged | refused | unanswered | lost | duplicated | out of order | epoch changes | reconnects | kill to first ack (s) | kill to every reader (s) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$md"
failed=0
for w in $waits; do
  run_once "$w" || failed=1
done
cat "$work/notes.md" >>"$md"
cat "$md"
echo "wrote $md"
exit "$failed"
