#!/usr/bin/env bash
# Soak test: runs target/chat-standalone.jar on 127.0.0.1 and puts 1000 members in one room for
# 10 minutes at about 1000 deliveries/s, with 50 of them dropping and resuming with since, a
# stalled reader and a hostile client (dev.jchat.bench.Soak). Prints lost, duplicated and
# out-of-order deliveries (all must be 0), connections closed by reason, the stalled reader's
# fate, what the hostile client got back, and the server's heap after a full GC at the start and
# the end; writes the same to bench/results/soak-<UTC time>.txt (the server's log next to it).
# Exits non-zero when the soak failed.
#
#   bench/run-soak.sh                 the documented soak (10 minutes, about 13 in all)
#   bench/run-soak.sh --minutes 1     a short one
#   bench/run-soak.sh --no-build      soak the jar already in target/
#   bench/run-soak.sh --jar FILE      soak another build of the standalone jar (an older commit's)
#
# The server runs with the defaults a deployment gets, except that it listens on 127.0.0.1 only,
# on a free port, and takes 2000 connections at most. Any CHAT_* variable set by the caller is
# passed on (CHAT_HOST and CHAT_PORT excepted). The rate limit stays at its default: the senders
# keep under it, and the hostile client must meet it. The idle timeout stays at its default too:
# Tyrus counts traffic both ways, so members of a busy room are never idle, and a long timeout
# would distort the heap figures (Tyrus re-arms its idle timer on every frame and the cancelled
# timers stay queued until they would have run: an hour's worth with 3600). SOAK_SERVER_JAVA_OPTS
# sets the server's JVM options (default -XX:+UseParallelGC -Xmn32m, as the standalone image runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

minutes=10
build=true
jar=target/chat-standalone.jar
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=${2:?--minutes needs a value}; shift 2 ;;
    --no-build) build=false; shift ;;
    --jar) jar=${2:?--jar needs a file}; build=false; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--no-build | --jar FILE]" >&2; exit 2 ;;
  esac
done

build_jars "$build"

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/soak-$stamp.txt
log=bench/results/soak-$stamp-server.log
work=$(mktemp -d)
pid=
cleanup() {
  stop_processes "$pid"
  rm -rf "$work"
}
trap cleanup EXIT
# The server runs from its own copy: target/ may be rebuilt while the soak runs, and a JVM whose
# jar changes under it fails on the next class it loads.
cp "$jar" "$work/chat-standalone.jar"

export CHAT_HOST=127.0.0.1 CHAT_PORT=0
export CHAT_MAX_CONNECTIONS=${CHAT_MAX_CONNECTIONS:-2000}
java_opts=${SOAK_SERVER_JAVA_OPTS--XX:+UseParallelGC -Xmn32m}
# shellcheck disable=SC2086 # the options are words
java $java_opts -jar "$work/chat-standalone.jar" >"$log" 2>&1 &
pid=$!

url=
for _ in $(seq 1 300); do
  url=$(grep -o 'ws://127\.0\.0\.1:[0-9]*/chat' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the server did not start; its log:" >&2
  cat "$log" >&2
  exit 1
fi

{
  echo "server                 $jar at $url (pid $pid, java $java_opts)"
  grep -E '^CHAT_[A-Z_]+=' "$log" | sed 's/^/server_setting         /'
} | tee "$out"

status=0
java -Xmx1g -cp bench/target/chat-bench.jar dev.jchat.bench.Soak --url "$url" --minutes "$minutes" --pid "$pid" \
  | tee -a "$out" || status=$? # with pipefail: the soak's own status, as tee does not fail

# What the server said it did, counted: its closes by reason, and its warnings, session ids left out
# (it logs the first of a kind with the session, then "N more in the last 10 s").
awk '
  /^(INFO|WARNING|SEVERE): / && (/closing connections|could not send/ || !/^INFO/) {
    line = $0; n = 1
    if (match(line, /: [0-9]+ more in the last/)) {
      n = substr(line, RSTART + 2, RLENGTH) + 0
      line = substr(line, 1, RSTART - 1)
    }
    sub(/: session [0-9a-f-]+$/, "", line)
    gsub(/session [0-9a-f-]+/, "session *", line)
    count[line] += n
  }
  END { for (k in count) printf "server_log             %s: %d\n", k, count[k] }
' "$log" | sort | tee -a "$out"
echo "wrote $out and $log"
exit "$status"
