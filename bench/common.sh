# Shared by the bench scripts, which source it from the project's root; not run by itself.

# Builds the bench jar, and the server jar first when $1 is true; raises the open-files limit.
build_jars() {
  if [ "$1" = true ]; then
    # Tests are not even compiled: they may be mid-change while the server's code is measured.
    ./mvnw -B -q package -Dmaven.test.skip=true
  fi
  ./mvnw -B -q -f bench/pom.xml package
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
}

# Stops the processes given (this shell's children), in the order given, and waits for each;
# those already gone, or given empty, are passed over.
stop_processes() {
  local pid
  for pid in "$@"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}

# A free loopback port below Linux's ephemeral ports (32768+), which the clients use.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
