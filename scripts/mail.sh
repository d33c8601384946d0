#!/usr/bin/env bash
# The development mail catcher: Debian's aiosmtpd, storing every message the services send
# in a Maildir (RUN_DIR/mail/new/…), so password-reset links can be read during `make run`.
#
#   scripts/mail.sh start|stop|status RUN_DIR [PORT]
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { die "usage: $0 start|stop|status RUN_DIR [PORT]"; }
(($# >= 2)) || usage
action=$1
RUN_DIR=$(abs_path "$2")
RUN_DIR=${RUN_DIR%/}
PORT=${3:-}
PID_FILE="$RUN_DIR/pids/mail.pid"
LOG_FILE="$RUN_DIR/logs/mail.log"

current_pid() {
    local pid
    pid=$(pid_of "$PID_FILE")
    if pid_alive "$pid" aiosmtpd; then printf '%s' "$pid"; fi
}

case "$action" in
    start)
        [[ -n $PORT ]] || usage
        if [[ -n $(current_pid) ]]; then
            log "already running: mail catcher on 127.0.0.1:$PORT"
            exit 0
        fi
        if port_open 127.0.0.1 "$PORT"; then
            log "port $PORT already answers: using that SMTP server"
            exit 0
        fi
        mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs"
        spawn "$PID_FILE" "$LOG_FILE" /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox "$RUN_DIR/mail"
        wait_port 127.0.0.1 "$PORT" 15 "$(pid_of "$PID_FILE")" || die "the mail catcher did not start; see $LOG_FILE"
        log "mail catcher on 127.0.0.1:$PORT, messages in $RUN_DIR/mail/new"
        ;;
    stop)
        pid=$(current_pid)
        [[ -n $pid ]] && stop_pids 5 "mail:$pid"
        rm -f "$PID_FILE"
        ;;
    status)
        pid=$(current_pid)
        if [[ -n $pid ]]; then echo "mail        running  pid $pid  $RUN_DIR/mail"; else echo "mail        stopped"; exit 3; fi
        ;;
    *) usage ;;
esac
