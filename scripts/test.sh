#!/usr/bin/env bash
# `make test`: builds everything with the tests, starts a private PostgreSQL and broker on
# test ports (so that a running `make run` is not disturbed), runs `swift test`, stops them.
#
#   scripts/test.sh [swift test arguments, e.g. --filter Gateway]
#
# Ports: CONCIERGE_TEST_PG_PORT [55433], CONCIERGE_TEST_BROKER_PORT [19093].
# The tests get (besides LD_LIBRARY_PATH with librdkafka 2.16):
#   CONCIERGE_TEST_DATABASE_URL  CONCIERGE_TEST_DATABASE_SOCKET_DIR  CONCIERGE_TEST_KAFKA_BROKERS  CONCIERGE_TEST_BIN_DIR
#   CONCIERGE_TEST_TANSU  CONCIERGE_TEST_RUN_DIR  CONCIERGE_TEST_PYTHONPATH
# Exit status: swift test's.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TEST_RUN_DIR="$ROOT/.run/test"
PG_PORT=${CONCIERGE_TEST_PG_PORT:-55433}
BROKER_PORT=${CONCIERGE_TEST_BROKER_PORT:-19093}

bash "$SCRIPTS/install.sh"
bash "$SCRIPTS/build.sh" debug --build-tests

# shellcheck disable=SC2317  # called by the trap
stop_infrastructure() {
    local code=$?
    trap - EXIT INT TERM
    kill_test_fleet_leftovers
    log "stopping the test broker and PostgreSQL"
    bash "$SCRIPTS/broker.sh" stop "$TEST_RUN_DIR" || true
    bash "$SCRIPTS/postgres.sh" stop "$TEST_RUN_DIR/pg" || true
    exit "$code"
}
# Processes the end-to-end tests started carry CONCIERGE_TEST_FLEET=1; a test that crashed may leave some.
kill_test_fleet_leftovers() {
    local environ pid
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}
        pid=${pid%/environ}
        if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx 'CONCIERGE_TEST_FLEET=1'; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
}
trap stop_infrastructure EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Every suite creates its own database and none drops it, so each run starts from a new cluster: one kept across
# runs grew past a thousand databases and 10 GB until its shutdown checkpoint timed out.
bash "$SCRIPTS/postgres.sh" stop "$TEST_RUN_DIR/pg"
rm -rf "$TEST_RUN_DIR/pg"
CONCIERGE_PG_DISPOSABLE=1 bash "$SCRIPTS/postgres.sh" start "$TEST_RUN_DIR/pg" "$PG_PORT"
bash "$SCRIPTS/broker.sh" start "$TEST_RUN_DIR" "$BROKER_PORT"

export_runtime_env
export CONCIERGE_TEST_DATABASE_URL="postgres://concierge:concierge@127.0.0.1:$PG_PORT/concierge"
CONCIERGE_TEST_DATABASE_SOCKET_DIR=$(pg_socket_dir "$TEST_RUN_DIR/pg")
export CONCIERGE_TEST_DATABASE_SOCKET_DIR
export CONCIERGE_TEST_KAFKA_BROKERS="127.0.0.1:$BROKER_PORT"
CONCIERGE_TEST_BIN_DIR=$(bin_dir debug)
export CONCIERGE_TEST_BIN_DIR
export CONCIERGE_TEST_TANSU="$TANSU"
export CONCIERGE_TEST_RUN_DIR="$TEST_RUN_DIR"
# Debian's python3 has python3-aiosmtpd, the real SMTP server the mail tests deliver to.
export CONCIERGE_TEST_SMTP_PYTHON=/usr/bin/python3
# feedparser (from PyPI, into .run/py) checks the news RSS feed as feed readers parse it.
export CONCIERGE_TEST_PYTHONPATH="$PY_DIR"

cd "$ROOT"
log "swift test --skip-build $*"
code=0
swift test --skip-build "$@" || code=$?
if ((code == 0)); then log "tests passed"; else log "tests FAILED (swift test exit status $code)"; fi
exit "$code"
