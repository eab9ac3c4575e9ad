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

# A free loopback port below Linux's ephemeral ports (32768+), which the clients use.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
