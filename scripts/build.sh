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
# Release builds leave out the run-time exclusivity checks (every module, the dependencies too): in a view page's
# profile they were 5-6 % of the tickets process, most of it in ByteBuffer reads. Debug builds, which the tests
# run, keep them, so an overlapping access still traps there. Release builds also optimize across modules, so that
# NIO's, Hummingbird's and postgres-nio's generic code is specialized where the services call it instead of looking
# up type metadata at run time (4 % of the tickets process in a view page's profile): on the bench stack a view page
# read from PostgreSQL cost the tickets process 202-205 instead of 214-220 µs and the gateway 110-114 instead of
# 114-117 µs, alternating builds. A first release build takes a few minutes longer.
flags=()
[[ $config != release ]] || flags=(-Xswiftc -enforce-exclusivity=unchecked -Xswiftc -cross-module-optimization)
log "swift build -c $config ${flags[*]} $*"
swift build -c "$config" "${flags[@]}" "$@"
log "built into $(swift build -c "$config" --show-bin-path)"
