#!/usr/bin/env bash
# Many rooms on one Redis against a Redis Cluster of three masters (issue 27): two chat servers,
# 30 rooms each with senders and readers spread over both (dev.jchat.bench.Chaos, nothing killed),
# at rising rates, on fresh processes per point, alternating which setup goes first. Prints per
# point: messages acknowledged and delivered per second, the echo's and the deliveries' p50/p99,
# lost or duplicated (must be 0), and the CPU each Redis process and each chat server took (100 =
# one core); writes bench/results/cluster-<UTC time>.md.
#
#   bench/run-cluster.sh              the documented run (about 8 minutes)
#   bench/run-cluster.sh --quick      one small point, a few seconds
#   bench/run-cluster.sh --no-build   run the jar already in target/
#
# Loopback only, free ports, a temporary directory; everything is stopped when the script ends.
# On this 2-core machine the two chat servers, the clients and Redis share two cores: read the CPU
# columns to see which of them ran out first.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

rooms=30 senders=2 readers=3 seconds=20
rates=(5 10 20)   # per sender: 300, 600 and 1 200 messages/s across the 30 rooms
build=true
jar=target/chat-standalone.jar
while [ $# -gt 0 ]; do
  case $1 in
    --quick) seconds=5 rates=(2); shift ;;
    --no-build) build=false; shift ;;
    *) echo "usage: $0 [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done

build_jars "$build"
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
md=bench/results/cluster-$stamp.md
work=$(mktemp -d)
pids=()
cleanup() {
  stop_processes "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$jar" "$work/chat-standalone.jar"
cp bench/target/chat-bench.jar "$work/chat-bench.jar"

# CPU time (clock ticks, user + system) a process has used so far.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# A cluster port leaves room for its bus port, 10 000 above.
cluster_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    (echo >"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null && continue
    echo "$port"; return
  done
}

# One point on fresh processes: $1 = one|cluster, $2 = messages/s per sender. Appends a row.
run_point() {
  local setup=$1 rate=$2 dir=$work/$1-$2 url redis_pids=() p port nodes="" s chat_pids=() urls=""
  mkdir -p "$dir"
  if [ "$setup" = one ]; then
    port=$(free_port)
    start_redis "$port" "$dir/redis" "$dir/redis.log" --save "" --appendonly yes
    redis_pids+=("$started_redis_pid")
    url=redis://127.0.0.1:$port
  else
    for p in 1 2 3; do
      port=$(cluster_port)
      start_redis "$port" "$dir/node-$p" "$dir/node-$p.log" --save "" --appendonly yes --cluster-enabled yes \
        --cluster-config-file nodes.conf
      redis_pids+=("$started_redis_pid")
      nodes+=" 127.0.0.1:$port"
    done
    # shellcheck disable=SC2086 # the node list is meant to split
    redis-cli --cluster create $nodes --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1
    for _ in $(seq 1 100); do
      redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && break
      sleep 0.1
    done
    url="redis-cluster://$(echo $nodes | tr ' ' ',')"
  fi
  pids+=("${redis_pids[@]}")
  for s in a b; do
    CHAT_HOST=127.0.0.1 CHAT_PORT=0 CHAT_REDIS_URL=$url CHAT_RATE_PER_SECOND=0 CHAT_MAX_CONNECTIONS=20000 \
      java -XX:+UseParallelGC -Xmn32m -jar "$work/chat-standalone.jar" >"$dir/chat-$s.log" 2>&1 &
    chat_pids+=("$!")
    pids=("$!" "${pids[@]}")
    urls+="${urls:+,}$(await_server_url "$dir/chat-$s.log" "$!")"
  done
  local before=() after=() i
  for p in "${redis_pids[@]}" "${chat_pids[@]}"; do before+=("$(ticks "$p")"); done
  local t0 t1
  t0=$(date +%s.%N)
  timeout $((seconds + 90)) java -cp "$work/chat-bench.jar" dev.jchat.bench.Chaos "$urls" "$rooms" "$senders" "$readers" \
    "$rate" "$seconds" $((seconds + 3600)) true >"$dir/chaos.txt" 2>&1 || true
  t1=$(date +%s.%N)
  for p in "${redis_pids[@]}" "${chat_pids[@]}"; do after+=("$(ticks "$p")"); done
  local hz redis_cpu="" chat_cpu="" n=${#redis_pids[@]} elapsed
  hz=$(getconf CLK_TCK)
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
  for i in "${!before[@]}"; do
    local pct
    pct=$(awk -v d="$((after[i] - before[i]))" -v hz="$hz" -v e="$elapsed" 'BEGIN {printf "%.0f", 100 * d / hz / e}')
    if [ "$i" -lt "$n" ]; then redis_cpu+="${redis_cpu:+ + }$pct"; else chat_cpu+="${chat_cpu:+ + }$pct"; fi
  done
  v() { sed -n "s/^$1=//p" "$dir/chaos.txt"; }
  echo "| $setup | $((rooms * senders * rate)) | $(v acknowledged_per_s) | $(v delivered_per_s) | $(v ack_p50_ms) |" \
    "$(v ack_p99_ms) | $(v delivery_p99_ms) | $(v lost) / $(v duplicated) / $(v out_of_order) | $redis_cpu | $chat_cpu |" \
    | tee -a "$md"
  stop_processes "${pids[@]}"
  pids=()
}

{
  echo "# bench/run-cluster.sh, $stamp"
  echo
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
    "java: $(java -version 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3)"
  echo "- two chat servers; $rooms rooms x ($senders senders + $readers readers), clients spread over both;" \
    "$seconds s of sending a point; one Redis (AOF on) against a cluster of three masters (AOF on, no replicas)"
  echo "- offered: messages/s across the rooms; delivered counts the readers' deliveries; CPU: % of one core, Redis" \
    "processes then chat servers"
  echo
  echo "| setup | offered/s | acknowledged/s | delivered/s | echo p50 ms | echo p99 ms | delivery p99 ms | lost / dup / order | Redis CPU % | chat servers CPU % |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"
} >"$md"
turn=0
for rate in "${rates[@]}"; do
  order=(one cluster)
  [ $((turn % 2)) = 1 ] && order=(cluster one)
  for setup in "${order[@]}"; do
    run_point "$setup" "$rate"
  done
  turn=$((turn + 1))
done
echo
cat "$md"
echo "wrote $md"
