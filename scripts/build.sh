#!/usr/bin/env bash
# Builds every Concierge executable with SwiftPM.
#
#   scripts/build.sh [debug|release] [extra swift build arguments, e.g. --build-tests]
#
# The configuration defaults to $CONCIERGE_BUILD_CONFIG, else debug. The executables land in
# `swift build -c CONFIG --show-bin-path`.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

config=${CONCIERGE_BUILD_CONFIG:-debug}
if (($# > 0)) && [[ $1 != -* ]]; then config=$1; shift; fi
case "$config" in debug | release) ;; *) die "build configuration must be debug or release, not '$config'" ;; esac

command -v swift >/dev/null || die "swift is not on PATH"
cd "$ROOT"
log "swift build -c $config $*"
swift build -c "$config" "$@"
log "built into $(swift build -c "$config" --show-bin-path)"
