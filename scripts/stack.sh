#!/usr/bin/env bash
# The local Concierge stack: PostgreSQL, the broker, every service and the gateway.
#
#   scripts/stack.sh up      install what is missing, build, start whatever is not running,
#                            migrate + seed, wait until every /health/ready answers 200
#   scripts/stack.sh run     up, print the URLs and demo logins, follow the logs; Ctrl-C or
#                            SIGTERM stops everything
#   scripts/stack.sh down    stop everything `up` started (gateway, services, broker, PostgreSQL)
#   scripts/stack.sh status  what runs, and whether it is ready
#
# Configuration (environment; defaults in brackets):
#   CONCIERGE_DATABASE_URL   [postgres://concierge:concierge@127.0.0.1:55432/concierge?host=<RUN_DIR/pg's socket directory>]
#                            a local cluster in RUN_DIR/pg is managed when the host is local; the services
#                            reach it through its Unix-domain socket (`?host=`), cheaper than TCP on loopback
#   CONCIERGE_KAFKA_BROKERS  [127.0.0.1:9092] a local broker is managed when it is 127.0.0.1:PORT
#   CONCIERGE_HTTP_PORT      [8080] gateway port
#   CONCIERGE_<SERVICE>_PORT [8081..8088] per service; the second identity instance listens on
#                            CONCIERGE_IDENTITY_2_PORT [identity port + 10 = 8091]
#   CONCIERGE_<SERVICE>_URLS [http://127.0.0.1:<port>, identity: both instances] gateway upstreams
#   CONCIERGE_SOCKET_DIR     [RUN_DIR/sockets] each service also listens on <port>.sock there, and the gateway
#                            forwards through those sockets; empty: TCP only
#   CONCIERGE_<SERVICE>_EVENT_LOOPS [one per core] event loop threads of that service's processes, the
#                            gateway's too (passed to each as CONCIERGE_EVENT_LOOPS)
#   CONCIERGE_BUILD_CONFIG   [debug] or release
#   CONCIERGE_RUN_DIR        [.run] pids, logs, data, PostgreSQL cluster
#   CONCIERGE_STACK_SERVICES [all eight] space-separated subset to start
#   CONCIERGE_IDENTITY_INSTANCES [2]
#   CONCIERGE_READY_TIMEOUT  [60] seconds to wait for /health/ready
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ALL_SERVICES=(identity tickets livechat whoson knowledge surveys reporting automation)
declare -A DEFAULT_PORT=(
    [identity]=8081 [tickets]=8082 [livechat]=8083 [whoson]=8084
    [knowledge]=8085 [surveys]=8086 [reporting]=8087 [automation]=8088
)

RUN_DIR=$(abs_path "${CONCIERGE_RUN_DIR:-$ROOT/.run}")
RUN_DIR=${RUN_DIR%/}
CONFIG=${CONCIERGE_BUILD_CONFIG:-debug}
export CONCIERGE_DATABASE_URL=${CONCIERGE_DATABASE_URL:-postgres://concierge:concierge@127.0.0.1:55432/concierge?host=$(pg_socket_dir "$RUN_DIR/pg")}
export CONCIERGE_KAFKA_BROKERS=${CONCIERGE_KAFKA_BROKERS:-127.0.0.1:9092}
export CONCIERGE_HTTP_PORT=${CONCIERGE_HTTP_PORT:-8080}
export CONCIERGE_SOCKET_DIR=${CONCIERGE_SOCKET_DIR-$(socket_dir "$RUN_DIR/sockets" sockets)}
read -r -a SERVICES <<<"${CONCIERGE_STACK_SERVICES:-${ALL_SERVICES[*]}}"
for svc in "${SERVICES[@]}"; do
    [[ " ${ALL_SERVICES[*]} " == *" $svc "* ]] || die "unknown service '$svc' in CONCIERGE_STACK_SERVICES (known: ${ALL_SERVICES[*]})"
done
IDENTITY_INSTANCES=${CONCIERGE_IDENTITY_INSTANCES:-2}
READY_TIMEOUT=${CONCIERGE_READY_TIMEOUT:-60}

PG_DIR="$RUN_DIR/pg"
PIDS="$RUN_DIR/pids"
LOGS="$RUN_DIR/logs"

upper() { printf '%s' "${1^^}"; }

# Every service's port and upstream list, exported: each process reads its own, the gateway
# reads all the URLS.
for svc in "${ALL_SERVICES[@]}"; do
    var="CONCIERGE_$(upper "$svc")_PORT"
    export "$var=${!var:-${DEFAULT_PORT[$svc]}}"
done
IDENTITY_PORTS=()
for ((i = 1; i <= IDENTITY_INSTANCES; i++)); do
    if ((i == 1)); then
        IDENTITY_PORTS+=("$CONCIERGE_IDENTITY_PORT")
    else
        var="CONCIERGE_IDENTITY_${i}_PORT"
        IDENTITY_PORTS+=("${!var:-$((CONCIERGE_IDENTITY_PORT + 10 * (i - 1)))}")
    fi
done
for svc in "${ALL_SERVICES[@]}"; do
    var="CONCIERGE_$(upper "$svc")_URLS"
    [[ -n ${!var:-} ]] && continue
    if [[ $svc == identity ]]; then
        urls=()
        for port in "${IDENTITY_PORTS[@]}"; do urls+=("http://127.0.0.1:$port"); done
        export "$var=$(IFS=,; printf '%s' "${urls[*]}")"
    else
        port_var="CONCIERGE_$(upper "$svc")_PORT"
        export "$var=http://127.0.0.1:${!port_var}"
    fi
done

# Instances in start order: "name executable port service".
instances() {
    local svc i port_var
    for svc in "${SERVICES[@]}"; do
        if [[ $svc == identity ]]; then
            for ((i = 1; i <= IDENTITY_INSTANCES; i++)); do
                echo "identity-$i identity ${IDENTITY_PORTS[i - 1]} identity"
            done
        else
            port_var="CONCIERGE_$(upper "$svc")_PORT"
            echo "$svc $svc ${!port_var} $svc"
        fi
    done
}

db_host=$(url_host "$CONCIERGE_DATABASE_URL")
DB_PORT=$(url_port "$CONCIERGE_DATABASE_URL" 5432)
LOCAL_DB=0
is_local_host "$db_host" && LOCAL_DB=1
LOCAL_BROKER=0
if [[ $CONCIERGE_KAFKA_BROKERS =~ ^(127\.0\.0\.1|localhost):([0-9]+)$ ]]; then
    LOCAL_BROKER=1
    BROKER_PORT=${BASH_REMATCH[2]}
fi

BIN=""
resolve_bin() { BIN=$(bin_dir "$CONFIG"); }

instance_pid() {
    local name=$1 exe=$2 pid
    pid=$(pid_of "$PIDS/$name.pid")
    if pid_alive "$pid" "/$exe"; then printf '%s' "$pid"; fi
}

# start_instance NAME EXE PORT SERVICE: start it unless its pid is alive.
start_instance() {
    local name=$1 exe=$2 port=$3 svc=$4 pid
    pid=$(instance_pid "$name" "$exe")
    if [[ -n $pid ]]; then
        if [[ $BIN/$exe -nt $PIDS/$name.pid ]]; then
            log "$name runs (pid $pid) an older build than $BIN/$exe; 'make down up' restarts it"
        else
            log "$name already running (pid $pid, port $port)"
        fi
        return 0
    fi
    [[ -x $BIN/$exe ]] || die "$BIN/$exe does not exist: is '$exe' an executable product that builds?"
    if port_open 127.0.0.1 "$port"; then
        die "port $port (for $name) is taken by another process; stop it or set CONCIERGE_$(upper "$svc")_PORT"
    fi
    mkdir -p "$PIDS" "$LOGS" "$RUN_DIR/data/$name"
    rotate_log "$LOGS/$name.log"
    printf '\n=== %s: starting %s on port %s\n' "$(date -Is)" "$name" "$port" >>"$LOGS/$name.log"
    local env_args=(CONCIERGE_INSTANCE="$name" CONCIERGE_DATA_DIR="$RUN_DIR/data/$name")
    [[ $svc != gateway ]] && env_args+=("CONCIERGE_$(upper "$svc")_PORT=$port")
    local loops_var loops
    loops_var="CONCIERGE_$(upper "$svc")_EVENT_LOOPS"
    loops=${!loops_var:-}
    [[ -n $loops ]] && env_args+=("CONCIERGE_EVENT_LOOPS=$loops")
    spawn "$PIDS/$name.pid" "$LOGS/$name.log" env "${env_args[@]}" "$BIN/$exe"
    printf '%s\n' "$port" >"$PIDS/$name.port"
    log "started $name (pid $(pid_of "$PIDS/$name.pid"), port $port, log ${LOGS#"$ROOT"/}/$name.log)"
}

ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready" 2>/dev/null; }

show_log_tail() {
    printf -- '--- last lines of %s ---\n' "$LOGS/$1.log" >&2
    tail -n 20 "$LOGS/$1.log" >&2 2>/dev/null || true
}

# wait_ready DEADLINE "name exe port"...: wait until each answers /health/ready with 200.
wait_ready() {
    local deadline=$1 entry name exe port pending
    shift
    pending=("$@")
    while ((${#pending[@]} > 0)); do
        local still=()
        for entry in "${pending[@]}"; do
            read -r name exe port <<<"$entry"
            if ready "$port"; then continue; fi
            if [[ -z $(instance_pid "$name" "$exe") ]]; then
                show_log_tail "$name"
                die "$name exited during start-up (see $LOGS/$name.log)"
            fi
            still+=("$entry")
        done
        pending=("${still[@]}")
        ((${#pending[@]} == 0)) && break
        if ((SECONDS >= deadline)); then
            for entry in "${pending[@]}"; do
                read -r name exe port <<<"$entry"
                warn "$name is not ready: http://127.0.0.1:$port/health/ready does not answer 200"
                show_log_tail "$name"
            done
            die "not ready after ${READY_TIMEOUT}s: $(for e in "${pending[@]}"; do printf '%s ' "${e%% *}"; done)"
        fi
        sleep 0.5
    done
}

concierge_cli() {
    log "concierge $*"
    "$BIN/concierge" "$@" || die "'concierge $*' failed (database $CONCIERGE_DATABASE_URL)"
}

up() {
    bash "$SCRIPTS/install.sh"
    export_runtime_env
    bash "$SCRIPTS/build.sh" "$CONFIG"
    resolve_bin
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if ((LOCAL_DB)); then
        bash "$SCRIPTS/postgres.sh" start "$PG_DIR" "$DB_PORT"
    else
        log "database $db_host is not local: not starting PostgreSQL"
    fi
    if ((LOCAL_BROKER)); then
        bash "$SCRIPTS/broker.sh" start "$RUN_DIR" "$BROKER_PORT"
    else
        log "brokers $CONCIERGE_KAFKA_BROKERS are not one local broker: not starting one"
    fi
    if [[ ${CONCIERGE_SMTP_HOST:-127.0.0.1} == 127.0.0.1 ]]; then
        bash "$SCRIPTS/mail.sh" start "$RUN_DIR" "${CONCIERGE_SMTP_PORT:-2525}"
    fi
    [[ -x $BIN/concierge ]] || die "$BIN/concierge does not exist: is 'concierge' an executable product that builds?"
    concierge_cli migrate
    concierge_cli seed

    local deadline=$((SECONDS + READY_TIMEOUT)) name exe port svc started=()
    while read -r name exe port svc; do
        start_instance "$name" "$exe" "$port" "$svc"
        started+=("$name $exe $port")
    done < <(instances)
    wait_ready "$deadline" "${started[@]}"
    start_instance gateway gateway "$CONCIERGE_HTTP_PORT" gateway
    wait_ready "$deadline" "gateway gateway $CONCIERGE_HTTP_PORT"
    log "stack is up: gateway http://127.0.0.1:$CONCIERGE_HTTP_PORT"
}

# Every instance with a pid file, whatever the current configuration: "name exe".
recorded_instances() {
    local file name
    for file in "$PIDS"/*.pid; do
        [[ -e $file ]] || continue
        name=$(basename "$file" .pid)
        [[ $name == broker || $name == mail ]] && continue
        echo "$name ${name%-[0-9]*}"
    done
}

stop_instances() {
    local entries=() name exe pid
    for name in "$@"; do
        exe=${name%-[0-9]*}
        pid=$(instance_pid "$name" "$exe")
        if [[ -n $pid ]]; then entries+=("$name:$pid"); fi
    done
    if ((${#entries[@]} > 0)); then
        log "stopping ${entries[*]%%:*}"
        stop_pids 15 "${entries[@]}"
    fi
    for name in "$@"; do rm -f "$PIDS/$name.pid" "$PIDS/$name.port"; done
}

down() {
    local services=() name exe
    while read -r name exe; do
        [[ $name == gateway ]] || services+=("$name")
    done < <(recorded_instances)
    [[ -e $PIDS/gateway.pid ]] && stop_instances gateway
    ((${#services[@]} > 0)) && stop_instances "${services[@]}"
    bash "$SCRIPTS/broker.sh" stop "$RUN_DIR"
    bash "$SCRIPTS/mail.sh" stop "$RUN_DIR"
    if [[ -f $PG_DIR/PG_VERSION ]]; then bash "$SCRIPTS/postgres.sh" stop "$PG_DIR"; fi
    log "stack is down"
}

status() {
    local name exe port pid state
    bash "$SCRIPTS/postgres.sh" status "$PG_DIR" || true
    bash "$SCRIPTS/broker.sh" status "$RUN_DIR" || true
    bash "$SCRIPTS/mail.sh" status "$RUN_DIR" || true
    {
        instances | while read -r name exe port _; do echo "$name $exe"; done
        echo "gateway gateway"
        recorded_instances
    } | awk '!seen[$1]++' | while read -r name exe; do
        port=$(cat "$PIDS/$name.port" 2>/dev/null || echo '?')
        pid=$(instance_pid "$name" "$exe")
        if [[ -z $pid ]]; then
            state="stopped"
        elif ready "$port"; then
            state="running  pid $pid  http://127.0.0.1:$port  ready"
        else
            state="running  pid $pid  http://127.0.0.1:$port  NOT READY"
        fi
        printf '%-11s %s\n' "$name" "$state"
    done
}

print_banner() {
    local gw="http://127.0.0.1:$CONCIERGE_HTTP_PORT" name exe port
    cat <<EOF

Concierge is running.

  Gateway      $gw
  Try          curl -H 'Host: demo.localhost' $gw/api/v1/identity/brand
  Brands       Demo  (host demo.localhost)   Acme  (host acme.localhost)
               browsers resolve *.localhost to 127.0.0.1: http://demo.localhost:$CONCIERGE_HTTP_PORT/
  Admin login  admin@demo.localhost / concierge-admin  (system administrator; change this password)

  Services (direct, without the gateway):
EOF
    while read -r name exe port _; do
        printf '    %-11s http://127.0.0.1:%s\n' "$name" "$port"
    done < <(instances)
    cat <<EOF

  PostgreSQL   $CONCIERGE_DATABASE_URL
  Kafka        $CONCIERGE_KAFKA_BROKERS
  Logs         ${LOGS#"$ROOT"/}/*.log (followed below)

Ctrl-C stops everything.

EOF
}

# follow_logs LOG...: prints every new log line as "name | line".
follow_logs() {
    local line name=""
    tail -n 0 -F "$@" 2>/dev/null | while IFS= read -r line; do
        case "$line" in
            "==> "*" <==") name=${line#==> }; name=${name% <==}; name=$(basename "$name" .log) ;;
            "") ;;
            *) printf '%-11s| %s\n' "$name" "$line" ;;
        esac
    done
}

run() {
    follower=""
    # Whatever ends `run` (Ctrl-C, SIGTERM, a failed start) stops the whole stack. A signal
    # is the normal way out (exit 0); a failure keeps its exit code.
    on_stop() {
        local code=$1
        trap - INT TERM EXIT
        echo
        log "stopping the stack"
        down
        if [[ -n $follower ]]; then sleep 0.3; kill -- -"$follower" 2>/dev/null || true; fi
        exit "$code"
    }
    trap 'on_stop 0' INT TERM
    trap 'on_stop $?' EXIT
    up
    print_banner
    # In its own session (setsid), so that a Ctrl-C does not end it before the shutdown has
    # been logged; on_stop ends it after down.
    setsid bash -c "$(declare -f follow_logs); follow_logs \"\$@\"" _ "$LOGS"/*.log &
    follower=$!
    wait "$follower" || true
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    run) run ;;
    status) status ;;
    *) die "usage: $0 up|down|run|status" ;;
esac
