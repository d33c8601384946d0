#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for Concierge.
#
#   scripts/postgres.sh start|stop|status DATA_DIR [PORT]
#
# start: initdb when DATA_DIR holds no cluster, (re)writes the listen settings, starts the
#        server if it is not running (a stale postmaster.pid after a crash is fine), and makes
#        sure role `concierge` (password `concierge`, LOGIN CREATEDB) and database `concierge`
#        exist. Listens on 127.0.0.1:PORT only; socket directory beside DATA_DIR.
#        CONCIERGE_PG_DISPOSABLE=1 turns off fsync (for the tests' throwaway cluster).
# stop:  fast shutdown, then immediate, then SIGKILL.
# status: prints the state; exit 0 when running, 3 when not.
#
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
# user, which owns DATA_DIR. Logs: <DATA_DIR's parent>/logs/postgres.log.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN=${CONCIERGE_PG_BIN:-/usr/lib/postgresql/15/bin}
DB_ROLE=concierge
DB_PASSWORD=concierge
DB_NAME=concierge

usage() { die "usage: $0 start|stop|status DATA_DIR [PORT]"; }
(($# >= 2)) || usage
action=$1
DATA_DIR=$(abs_path "$2")
DATA_DIR=${DATA_DIR%/}
PORT=${3:-}

RUN_DIR=$(dirname "$DATA_DIR")
LOG_FILE="$RUN_DIR/logs/postgres.log"
SOCKET_DIR=$(pg_socket_dir "$DATA_DIR")

if ((EUID == 0)); then
    PG_USER=postgres
    id -u "$PG_USER" >/dev/null 2>&1 || die "user 'postgres' does not exist; run scripts/install.sh (package postgresql-15)"
    # cd /: the caller's cwd (e.g. /root) may be closed to postgres.
    as_pg() { (cd / && runuser -u "$PG_USER" -- "$@"); }
else
    PG_USER=$(id -un)
    as_pg() { (cd / && "$@"); }
fi

pg_ctl() { as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" "$@"; }

initialized() { [[ -f $DATA_DIR/PG_VERSION ]]; }

postmaster_pid() { head -n 1 "$DATA_DIR/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true; }

running() { initialized && proc_alive "$(postmaster_pid)" && pg_ctl status >/dev/null 2>&1; }

# A lock file (postmaster.pid, or the socket's .lock) whose process is gone, or is a zombie
# nobody reaped (which PostgreSQL would take for a live server), is stale: remove it.
# PostgreSQL still refuses to start while the old server's shared memory is in use, so this
# cannot put a second server on the same data.
remove_stale_lock_files() {
    local file pid
    for file in "$DATA_DIR/postmaster.pid" "$SOCKET_DIR/.s.PGSQL.$PORT.lock"; do
        [[ -f $file ]] || continue
        pid=$(head -n 1 "$file" 2>/dev/null | tr -dc '0-9' || true)
        if ! proc_alive "$pid"; then
            log "removing stale $(basename "$file") (pid ${pid:-?} is gone: the previous server was killed)"
            rm -f "$file"
        fi
    done
}

configured_port() { sed -n "s/^port = \([0-9]*\).*/\1/p" "$DATA_DIR/concierge.conf" 2>/dev/null || true; }

# The postgres user must be able to traverse every ancestor of DATA_DIR: a clone in a
# `mktemp -d` directory (0700, root) would otherwise hide it. Open only what is closed.
open_ancestors() {
    ((EUID == 0)) || return 0
    local dir=$1 dirs=()
    while [[ $dir != / && -n $dir ]]; do
        dirs=("$dir" "${dirs[@]}")
        dir=$(dirname "$dir")
    done
    for dir in "${dirs[@]}"; do
        [[ -d $dir ]] || break
        if ! runuser -u "$PG_USER" -- test -x "$dir" 2>/dev/null; then
            log "chmod o+x $dir (so that user postgres can reach the cluster)"
            chmod o+x "$dir"
        fi
    done
}

prepare_dirs() {
    mkdir -p "$RUN_DIR/logs" "$DATA_DIR" "$SOCKET_DIR"
    open_ancestors "$RUN_DIR/logs"
    touch "$LOG_FILE"
    if ((EUID == 0)); then
        chown "$PG_USER:" "$DATA_DIR" "$SOCKET_DIR" "$LOG_FILE"
        open_ancestors "$SOCKET_DIR"
    fi
    chmod 700 "$DATA_DIR"
}

init_cluster() {
    initialized && return 0
    if [[ -n $(ls -A "$DATA_DIR") ]]; then
        die "$DATA_DIR is not empty but holds no cluster (no PG_VERSION); remove it or pick another directory"
    fi
    log "initdb $DATA_DIR"
    as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >>"$LOG_FILE" 2>&1 ||
        die "initdb failed; see $LOG_FILE"
}

write_config() {
    local conf="$DATA_DIR/concierge.conf" tmp
    tmp=$(mktemp)
    cat >"$tmp" <<CONF
# Written by scripts/postgres.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
max_connections = 300
fsync = on
# Sized for a help desk's working set rather than initdb's 128 MB: a million tickets and their indexes are
# 3 GB, and with small buffers every insert evicts and rewrites pages. Fewer, spread-out checkpoints keep
# full-page images (the bulk of the WAL on random-key indexes) down; lz4 shrinks those that remain.
shared_buffers = ${CONCIERGE_PG_SHARED_BUFFERS:-1GB}
max_wal_size = ${CONCIERGE_PG_MAX_WAL_SIZE:-4GB}
checkpoint_timeout = 15min
wal_compression = lz4
CONF
    # A disposable cluster (the tests' own) trades crash safety for speed: a test run starts ~140 suites at once,
    # each creating a database and running its migrations, and on a slow disk their fsyncs kept new connections
    # waiting past their timeout. Killing PostgreSQL or a service loses nothing this way; only an OS crash would.
    if [[ ${CONCIERGE_PG_DISPOSABLE:-0} == 1 ]]; then
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$tmp"
    fi
    if ! cmp -s "$tmp" "$conf"; then
        cp "$tmp" "$conf"
        if ((EUID == 0)); then chown "$PG_USER:" "$conf"; fi
    fi
    rm -f "$tmp"
    grep -q "^include_if_exists = 'concierge.conf'" "$DATA_DIR/postgresql.conf" ||
        printf "\ninclude_if_exists = 'concierge.conf'\n" >>"$DATA_DIR/postgresql.conf"
}

psql_admin() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U postgres -d postgres -At "$@"
}

ensure_role_and_database() {
    local found
    found=$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'") ||
        die "cannot connect to PostgreSQL through $SOCKET_DIR (port $PORT); see $LOG_FILE"
    if [[ -z $found ]]; then
        log "creating role $DB_ROLE"
        psql_admin -c "CREATE ROLE $DB_ROLE LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
    fi
    found=$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
    if [[ -z $found ]]; then
        log "creating database $DB_NAME"
        psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_ROLE"
    fi
}

start_server() {
    local attempt
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        if pg_ctl -l "$LOG_FILE" -w -t 60 start >/dev/null 2>&1; then return 0; fi
        # After a SIGKILL of the postmaster, its children may hold the old shared memory
        # for a moment ("pre-existing shared memory block is still in use"): wait and retry.
        if tail -n 5 "$LOG_FILE" | grep -q 'pre-existing shared memory block'; then
            log "the previous server's processes are still exiting; retrying ($attempt)"
            sleep 1
            continue
        fi
        break
    done
    printf '%s\n' "--- last lines of $LOG_FILE ---" >&2
    tail -n 20 "$LOG_FILE" >&2
    die "PostgreSQL did not start (data $DATA_DIR, port $PORT)"
}

start() {
    [[ -n $PORT ]] || usage
    [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb not found; run scripts/install.sh (package postgresql-15)"
    if running; then
        local current
        current=$(configured_port)
        [[ $current == "$PORT" ]] ||
            die "the cluster in $DATA_DIR already runs on port ${current:-?}, not $PORT; stop it first"
        ensure_role_and_database
        log "already running: $DATA_DIR on 127.0.0.1:$PORT (pid $(postmaster_pid))"
        return 0
    fi
    if port_open 127.0.0.1 "$PORT"; then
        die "port $PORT is taken by another process; stop it or choose another port"
    fi
    prepare_dirs
    init_cluster
    write_config
    remove_stale_lock_files
    log "starting PostgreSQL: $DATA_DIR on 127.0.0.1:$PORT (log $LOG_FILE)"
    start_server
    ensure_role_and_database
    log "ready: postgres://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
}

stop() {
    if ! running; then
        log "not running: $DATA_DIR"
        return 0
    fi
    local pid
    pid=$(postmaster_pid)
    log "stopping PostgreSQL $DATA_DIR (pid $pid)"
    pg_ctl -m fast -w -t 30 stop >/dev/null 2>&1 && return 0
    warn "fast shutdown did not finish in 30 s; trying immediate"
    pg_ctl -m immediate -w -t 10 stop >/dev/null 2>&1 && return 0
    warn "immediate shutdown failed; sending SIGKILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
}

status() {
    if running; then
        echo "postgres    running  pid $(postmaster_pid)  127.0.0.1:$(configured_port)  $DATA_DIR"
        return 0
    fi
    echo "postgres    stopped  $DATA_DIR"
    return 3
}

case "$action" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
