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

# ---- the runtimes, as the Docker images run them ---------------------------------------------
# The JVM is this machine's java (OpenJDK 17), not the images' Temurin. A caller sets, before
# start_runtime:
#   runtime_dir   a directory with copies of chat-standalone.jar, chat.war and payara-micro.jar
#                 (copies: target/ may be rebuilt while a run goes on); see copy_runtimes
#   tomcat_home   an unpacked Tomcat 10.1 (copy_runtimes sets it)
#   standalone_jar  (optional) another chat-standalone.jar for "standalone", e.g. an older build

# Copies the built artifacts into $1 and sets runtime_dir and tomcat_home; packages them (tests not
# compiled) when one is missing, or always when $2 is true.
copy_runtimes() {
  local home
  home=$(ls -d target/servers/apache-tomcat-* 2>/dev/null | sort -V | tail -n 1 || true)
  if [ "${2:-false}" = true ] || [ ! -f target/chat.war ] || [ ! -f target/chat-standalone.jar ] \
      || [ ! -f target/servers/payara-micro.jar ] || [ -z "$home" ]; then
    # package stops before pre-integration-test, which brings the servers: ask for that goal too
    ./mvnw -B -q -o package dependency:unpack@tomcat dependency:copy@payara-micro -Dmaven.test.skip=true
    home=$(ls -d target/servers/apache-tomcat-* | sort -V | tail -n 1)
  fi
  runtime_dir=$1
  cp target/chat-standalone.jar target/chat.war target/servers/payara-micro.jar docker/tomcat-server.xml "$runtime_dir/"
  cp -r "$home" "$runtime_dir/tomcat-home"
  tomcat_version=$(basename "$home")
  tomcat_home=$runtime_dir/tomcat-home
}

# The JVM flags each runtime's image gives it, for the reports.
runtime_flags() {
  case $1 in
    standalone) echo "-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -Xmn32m" ;;
    standalone-g1) echo "(none: G1, as a plain java -jar)" ;;
    tomcat) echo "catalina.sh's own and $TOMCAT_CATALINA_OPTS (G1)" ;;
    payara) echo "-XX:MaxRAMPercentage=70.0 -Xss512k -XX:+UseContainerSupport (G1)" ;;
    node) echo "-" ;;
  esac
}

# What docker/Dockerfile sets; the row's own CATALINA_OPTS (start_runtime's ENV) replaces it.
TOMCAT_CATALINA_OPTS=$(sed -n 's/^ENV CATALINA_OPTS="\(.*\)"$/\1/p' docker/Dockerfile)

# start_runtime NAME PORT DIR LOG [KEY=VALUE...]: starts NAME on 127.0.0.1:PORT, working in DIR
# (made afresh: a Payara started on the runtime directory of an earlier one first brings back
# the application deployed there, so it serves the page, then deploys it again, and answers the
# WebSocket upgrade with 404 meanwhile), output to LOG, with the environment given (the caller's
# CHAT_* and JVM option variables are not passed on), under `timeout` in a process group of its
# own (30 min at most, so it ends even if the script is killed). Sets server_group (timeout's
# pid, for stop_group) and server_pid (the server's own). NAME:
#   standalone     java -XX:MaxRAMPercentage=75 -XX:+UseParallelGC -Xmn32m -jar chat-standalone.jar
#                  (docker/standalone.Dockerfile's ENTRYPOINT)
#   standalone-g1  java -jar chat-standalone.jar: the JVM's default G1, as the README runs it
#   tomcat         bin/catalina.sh run, as tomcat:10.1-jre17 does (G1, heap 1/4 of RAM), with
#                  docker/Dockerfile's CATALINA_OPTS and docker/tomcat-server.xml; the WAR as ROOT
#   payara         java -XX:MaxRAMPercentage=70.0 -Xss512k -XX:+UseContainerSupport
#                  -Djdk.util.zip.disableZip64ExtraFieldValidation=true -jar payara-micro.jar
#                  --deploymentDir DIR --nohazelcast --disablephonehome (payara/micro's
#                  entrypoint.sh, its JVM_ARGS, and docker/payara.Dockerfile's CMD; G1), ROOT.war in
#                  DIR, plus --port and a preboot command that binds the listener to 127.0.0.1
#   node           node bench/reference/server.js PORT: the tutorials' server (its path is /)
start_runtime() {
  local name=$1 port=$2 dir=$3 log=$4
  shift 4
  case $dir in ""|/) echo "start_runtime: no directory to work in" >&2; return 1 ;; esac
  rm -rf "$dir"
  mkdir -p "$dir"
  local -a env=(env -u JAVA_OPTS -u CATALINA_OPTS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS -u JAVA_TOOL_OPTIONS)
  local var
  for var in $(compgen -e | grep '^CHAT_' || true); do env+=(-u "$var"); done
  local -a command
  case $name in
    standalone|standalone-g1)
      local -a flags=(-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -Xmn32m)
      [ "$name" = standalone-g1 ] && flags=()
      command=(java "${flags[@]}" -jar "${standalone_jar:-$runtime_dir/chat-standalone.jar}")
      env+=(CHAT_HOST=127.0.0.1 CHAT_PORT="$port")
      ;;
    tomcat)
      local base=$dir/tomcat
      mkdir -p "$base"/{conf,webapps,logs,temp,work}
      find "$tomcat_home/conf" -maxdepth 1 -type f -exec cp {} "$base/conf/" \;
      cp "$runtime_dir/tomcat-server.xml" "$base/conf/server.xml"
      cp "$runtime_dir/chat.war" "$base/webapps/ROOT.war"
      command=("$tomcat_home/bin/catalina.sh" run)
      # the connector's port and address as system properties (the file's defaults are the image's)
      env+=(CATALINA_HOME="$tomcat_home" CATALINA_BASE="$base" CATALINA_TMPDIR="$base/temp"
        JAVA_OPTS="-Dchat.port=$port -Dchat.address=127.0.0.1 -Dchat.max.connections=20500"
        CATALINA_OPTS="$TOMCAT_CATALINA_OPTS")
      ;;
    payara)
      mkdir -p "$dir/deployments"
      cp "$runtime_dir/chat.war" "$dir/deployments/ROOT.war"
      echo "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1" \
        >"$dir/preboot.txt"
      command=(java -XX:MaxRAMPercentage=70.0 -Xss512k -XX:+UseContainerSupport
        -Djdk.util.zip.disableZip64ExtraFieldValidation=true -jar "$runtime_dir/payara-micro.jar"
        --deploymentDir "$dir/deployments" --nohazelcast --disablephonehome
        --rootdir "$dir/root" --prebootcommandfile "$dir/preboot.txt" --port "$port")
      ;;
    node)
      command=(node "$PWD/bench/reference/server.js" "$port")
      ;;
    *) echo "unknown runtime $name (standalone, standalone-g1, tomcat, payara, node)" >&2; return 1 ;;
  esac
  env+=("$@")
  (cd "$dir" && exec timeout --kill-after=10 1800 "${env[@]}" "${command[@]}") </dev/null >"$log" 2>&1 &
  server_group=$!
  server_pid=
  local i
  for ((i = 0; i < 50; i++)); do
    server_pid=$(pgrep -P "$server_group" | awk 'NR == 1' || true)
    [ -n "$server_pid" ] && break
    sleep 0.1
  done
  [ -n "$server_pid" ] || { echo "$name: no process" >&2; return 1; }
}

# serving NAME PORT: whether it serves yet (the page answers 200; the reference: it takes TCP)
serving() {
  if [ "$1" = node ]; then
    (echo >"/dev/tcp/127.0.0.1/$2") 2>/dev/null
  else
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$2/")" = 200 ]
  fi
}

# wait_serving NAME PORT: until it serves, for as long as its kind may take to start; 1 if it
# stopped or did not serve in time
wait_serving() {
  local limit=60 t0=$SECONDS
  case $1 in tomcat) limit=120 ;; payara) limit=300 ;; node) limit=30 ;; esac
  until serving "$1" "$2"; do
    kill -0 "$server_pid" 2>/dev/null && [ $((SECONDS - t0)) -lt $limit ] || return 1
    sleep 0.2
  done
}

# stop_group PID SECONDS: stops a `timeout` we started (its process group leader) and all under it,
# with SIGTERM, then SIGKILL after SECONDS
stop_group() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# ---- Redis and chat servers for the Redis scripts (run-redis.sh, run-chaos.sh) ---------------

# start_redis PORT DIR LOG [ARGS...]: a redis-server on 127.0.0.1:PORT working in DIR (made if
# missing), output to LOG, with ARGS added (`--sentinel` makes it a sentinel: then the first ARG
# is its config file, given before the port); waits until it answers PING (10 s at most) and sets
# started_redis_pid, or prints its log and fails.
start_redis() {
  local port=$1 dir=$2 log=$3
  shift 3
  mkdir -p "$dir"
  if [ "${2:-}" = --sentinel ]; then
    redis-server "$1" --sentinel --port "$port" --bind 127.0.0.1 --dir "$dir" >"$log" 2>&1 &
  else
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" "$@" >"$log" 2>&1 &
  fi
  started_redis_pid=$!
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return
    kill -0 "$started_redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "redis-server on $port did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# await_server_url LOG PID: the URL a started chat server logs once it listens; fails after 30 s.
await_server_url() {
  local url
  for _ in $(seq 1 300); do
    url=$(grep -o 'ws://127\.0\.0\.1:[0-9]*/chat' "$1" | head -n 1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server logging to $1 did not start; its log:" >&2
  cat "$1" >&2
  return 1
}
