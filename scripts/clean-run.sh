#!/usr/bin/env bash
# `make clean-run`: stops everything that runs from .run (the dev stack, the test and the
# bench infrastructure), then removes .run: databases, logs, wheels. The next make reinstalls.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUN="$ROOT/.run"
if [[ ! -d $RUN ]]; then
    log "nothing to clean: $RUN does not exist"
    exit 0
fi
CONCIERGE_RUN_DIR="$RUN" bash "$SCRIPTS/stack.sh" down
if [[ -d $RUN/bench ]]; then CONCIERGE_RUN_DIR="$RUN/bench" bash "$SCRIPTS/stack.sh" down; fi
if [[ -d $RUN/test ]]; then
    bash "$SCRIPTS/broker.sh" stop "$RUN/test"
    if [[ -f $RUN/test/pg/PG_VERSION ]]; then bash "$SCRIPTS/postgres.sh" stop "$RUN/test/pg"; fi
fi
rm -rf "$RUN"
log "removed $RUN"
