#!/usr/bin/env bash
# Measures what one publish.lua call costs Redis: the script the Redis engine runs for every entry
# of a room's log. redis-benchmark calls it with the arguments RoomCalls.publish gives it, and the
# figure is Redis' own time per call (INFO commandstats), so neither Java nor the network is in it.
#
#   bench/run-publish.sh                  the working tree's publish.lua
#   bench/run-publish.sh --script FILE    another publish.lua with the same arguments (e.g. an older
#                                         one: --script <(git show REV:src/main/resources/dev/jchat/engine/redis/publish.lua))
#   bench/run-publish.sh --calls N        calls per shape (default 200 000)
#
# Shapes, each in a fresh room of its own, each run twice, alternating: a chat message into a full
# room of 100 and of 1000 messages (the default history, and a large one; the room trims as it
# goes), and a reaction to a held message in a room whose other entries are at their bound (so
# the oldest one goes every time). Two subscribers listen on the room's channel, as two chat
# servers would; AOF is on (appendfsync everysec), as docs/REDIS.md advises. It starts its own
# redis-server on a free port (127.0.0.1 only, in a temporary directory) and stops it when it ends.
# What it prints is also written to bench/results/publish-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

script=src/main/resources/dev/jchat/engine/redis/publish.lua
calls=200000
while [ $# -gt 0 ]; do
  case $1 in
    --script) script=${2:?--script needs a file}; shift 2 ;;
    --calls) calls=${2:?--calls needs a number}; shift 2 ;;
    *) echo "usage: $0 [--script FILE] [--calls N]" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
cp "$script" "$work/publish.lua" # the file may be a pipe, read once
port=$(free_port)
redis_pid=
listeners=()
cleanup() {
  stop_processes "${listeners[@]}" "$redis_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes \
  --logfile "$work/redis.log" &
redis_pid=$!
cli() { redis-cli -p "$port" "$@"; }
for _ in $(seq 50); do cli ping >/dev/null 2>&1 && break; sleep 0.1; done
sha=$(cli script load "$(cat "$work/publish.lua")")

before='{"type":"chat","room":"lobby","user":"someone","ts":"2026-12-07T17:00:00.000Z","id":'
after=',"msg":"a message of a typical length, about as long as this one is, some eighty bytes"}'
deadline=99999999999999 # never late: only the script's work is measured

# publish KEYPREFIX HISTORY KIND TARGET READ AFTER N: N calls of publish.lua, as RoomCalls makes them
publish() {
  local k=$1
  redis-benchmark -p "$port" -c 4 -n "$7" -q EVALSHA "$sha" 5 "$k:meta" "$k:log" "$k:msgs" "$k:edits" "$k:sanctions" \
    "$before" "$after" "$2" 2592000 epoch "$k" "$deadline" epoch 0 "$3" $(($2 * 4)) "$4" "$5" "$6" '' '' >/dev/null
}

# time_of SHAPE COMMAND...: Redis' microseconds per call of the script while COMMAND runs
time_of() {
  local shape=$1 usec calls_before usec_before calls_after usec_after
  shift
  read -r calls_before usec_before < <(evalsha_stats)
  "$@"
  read -r calls_after usec_after < <(evalsha_stats)
  usec=$(awk -v c=$((calls_after - calls_before)) -v u=$((usec_after - usec_before)) 'BEGIN { printf "%.2f", u / c }')
  printf '%s\t%s\n' "$shape" "$usec"
}
evalsha_stats() {
  cli info commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ { print $2, $4; found = 1 } END { if (!found) print 0, 0 }'
}

for channel in 1 2; do
  redis-cli -p "$port" subscribe room-a room-b room-c >/dev/null &
  listeners+=($!)
done

# the rooms, filled: a full room of 100, one of 1000, and one of 100 with a message to react to
publish room-a 100 chat '' '' '' 2000
publish room-b 1000 chat '' '' '' 2000
publish room-c 100 chat '' '' '' 200
target=150
held=$(cli hget room-c:msgs "$target")
[ -n "$held" ] || { echo "room-c holds no message $target" >&2; exit 1; }
react() { publish room-c 100 other "$target" "$held" "$held" "$1"; }
react 1000 # the other entries at their bound (400)

mkdir -p bench/results
out=bench/results/publish-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# bench/run-publish.sh: $(redis-server --version | awk '{print $3}'), $calls calls a shape and turn, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# script: $script"
  printf 'shape\tus per call\n'
  for turn in 1 2; do
    time_of "chat, full room of 100 (turn $turn)" publish room-a 100 chat '' '' '' "$calls"
    time_of "chat, full room of 1000 (turn $turn)" publish room-b 1000 chat '' '' '' "$calls"
    time_of "reaction, entries at their bound (turn $turn)" react "$calls"
  done
} | tee "$out"
echo "wrote $out"
